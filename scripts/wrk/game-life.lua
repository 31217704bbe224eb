-- A game's life on tictactoe: create a game, then play five legal moves in it, cycling over
-- fresh games so that moves are accepted rather than refused. Each response names its game and
-- its move count, so any connection can continue any game.
local queue = {}
local moves_per_game = 5

request = function()
  local game = table.remove(queue)
  if game then
    return wrk.format("POST", "/api/games/" .. game.id .. "/moves",
      {["Content-Type"] = "application/json"}, '{"index":' .. game.next .. '}')
  end
  return wrk.format("POST", "/api/games", {["Content-Type"] = "application/json"}, "{}")
end

response = function(status, headers, body)
  if status ~= 200 and status ~= 201 then
    errors_seen = (errors_seen or 0) + 1
    return
  end
  local id = body:match('"id":"([%w_-]+)"')
  local version = tonumber(body:match('"version":(%d+)'))
  if id and version and version < moves_per_game then
    table.insert(queue, {id = id, next = version})
  end
end
