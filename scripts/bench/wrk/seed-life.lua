-- The seed's equivalent of a game's life: reset, then five moves on its one global board.
local step = 0
request = function()
  local s = step % 6
  step = step + 1
  if s == 0 then
    return wrk.format("POST", "/reset", {["Content-Type"] = "application/json"}, "{}")
  end
  return wrk.format("POST", "/move", {["Content-Type"] = "application/json"}, '{"index":' .. (s - 1) .. '}')
end
