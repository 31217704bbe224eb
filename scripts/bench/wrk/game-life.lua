-- A game's life on tictactoe: create a game, then play five legal moves in it, cycling over
-- fresh games so that moves are accepted rather than refused. Each response names its game and
-- its move count, so any connection can continue any game.
--
-- The client shares the machine's cores with the server, so it reads each answer with plain
-- substring searches (no patterns) and formats each request from pieces made once.
local queue = {}
local moves_per_game = 5
local headers = {["Content-Type"] = "application/json"}
local find, sub, tonumber = string.find, string.sub, tonumber

request = function()
  local game = table.remove(queue)
  if game then
    return wrk.format("POST", "/api/games/" .. game[1] .. "/moves", headers, '{"index":' .. game[2] .. '}')
  end
  return wrk.format("POST", "/api/games", headers, "{}")
end

response = function(status, _, body)
  if status ~= 200 and status ~= 201 then
    errors_seen = (errors_seen or 0) + 1
    return
  end
  -- The body starts {"id":"<16 characters>", and holds "version":<n>.
  local id = sub(body, 8, 23)
  local at = find(body, '"version":', 1, true)
  if not at then return end
  local version = tonumber(sub(body, at + 10, at + 11):match("^%d+"))
  if version and version < moves_per_game then
    queue[#queue + 1] = {id, version}
  end
end
