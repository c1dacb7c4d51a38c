package stack

// The scripts of core/redisstore (scripts.go), copied verbatim so the floor
// sends Redis exactly what sesskit sends. TestFloorScriptsMatch compares them
// with that file, so the copy cannot drift.
const (
	floorLuaMillis = `
local function millis(v)
  if v and #v <= 18 and string.match(v, '^%d+$') then return tonumber(v) end
  return nil
end
`
	floorLoadLua = `
local h = redis.call('HGETALL', KEYS[1])
if #h == 0 then return false end
local c, d
for i = 1, #h, 2 do
  if h[i] == '@c' then c = millis(h[i + 1]) elseif h[i] == '@d' then d = millis(h[i + 1]) end
end
local pttl = redis.call('PTTL', KEYS[1])
if c and d then
  local now = tonumber(ARGV[1])
  if d <= now then
    redis.call('DEL', KEYS[1])
    return false
  end
  local ttl = math.min(tonumber(ARGV[2]), d - now)
  -- Touch only when more than the interval of lifetime was used; a key
  -- without a TTL (pttl -1) always gets one.
  if ttl > 0 and (pttl < 0 or ttl - pttl > tonumber(ARGV[3])) then
    redis.call('PEXPIRE', KEYS[1], ttl)
    pttl = ttl
  end
end
return {pttl, h}
`
	floorCreateLua = `
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], '@c', ARGV[2], '@d', ARGV[3])
-- Batches keep unpack() far from Lua's stack limit on huge sessions.
for i = 4, #ARGV, 512 do
  redis.call('HSET', KEYS[1], unpack(ARGV, i, math.min(i + 511, #ARGV)))
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 0
`
	floorChangeLua = `
local key = KEYS[1]
local now, idle, max, n = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local first = 5 + n
local meta = redis.call('HMGET', key, '@c', '@d')
local c, d = millis(meta[1]), millis(meta[2])
if not c or not d then
  if not meta[1] and not meta[2] and redis.call('EXISTS', key) == 0 then return 1 end
  return 3
end
if d <= now then
  redis.call('DEL', key)
  return 1
end
if max > 0 then
  -- Size after the change: every value field's name and value, metadata
  -- excluded, deletes applied before sets.
  local size = {}
  local h = redis.call('HGETALL', key)
  for i = 1, #h, 2 do size[h[i]] = #h[i] + #h[i + 1] end
  size['@c'], size['@d'] = nil, nil
  for i = 5, first - 1 do size[ARGV[i]] = nil end
  for i = first, #ARGV, 2 do size[ARGV[i]] = #ARGV[i] + #ARGV[i + 1] end
  local total = 0
  for _, s in pairs(size) do total = total + s end
  if total > max then return 2 end
end
for i = 5, first - 1, 512 do
  redis.call('HDEL', key, unpack(ARGV, i, math.min(i + 511, first - 1)))
end
for i = first, #ARGV, 512 do
  redis.call('HSET', key, unpack(ARGV, i, math.min(i + 511, #ARGV)))
end
redis.call('PEXPIRE', key, math.min(idle, d - now))
return 0
`
)
