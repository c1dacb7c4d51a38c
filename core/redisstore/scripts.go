package redisstore

// The scripts run with EVALSHA (EVAL on NOSCRIPT). Each touches exactly one
// key, KEYS[1], so every script is Cluster-safe. Times come from ARGV (the
// engine's clock), not from the server.
//
// Every change of an existing session is one run of changeScript, which
// costs O(fields it changes): it never reads the whole hash. Creating a
// session needs no script (MULTI/EXEC: the ID is fresh, nothing to check).
//
// Runs whose effect is the same when repeated (a save without appends, a
// touch, a create, a delete) may be retried by go-redis; incr, pop, swap,
// take, index with eviction and a save with appends are sent with retries
// off (see run).

// Replies of the changing scripts: a number, or {number, value}.
const (
	replyOK         = 0
	replyNotFound   = 1 // absent, or past its deadline (then deleted)
	replyTooLarge   = 2
	replyCorrupt    = 3
	replyRenewed    = 4
	replyNotCounter = 5
	replyConflict   = 6
	replyOverflow   = 7
)

// changeScript is every change of an existing session, in one flat script
// (no helper functions: a script's body runs afresh on every EVALSHA, and
// closures built per call cost more than the work). ARGV[1..9] are the
// rules: now (unix ms), idle (ms), absolute (ms), touch interval (ms), max
// size, max keys, max value (0: no limit), and the ceilings of a session's
// own idle and absolute timeouts (ms; "": the timeout). ARGV[10] is the operation, and what
// follows is its own:
//
//	save   ARGV[11] user action ("" none, "=" set, "-" remove), ARGV[12]
//	       the user, ARGV[13] label action ("" or "="), ARGV[14] the label,
//	       ARGV[15] lifetime action ("" or "="), ARGV[16] its idle and
//	       ARGV[17] its absolute timeout (ms, 0: the Manager's), ARGV[18]
//	       nd, ARGV[19] ns, ARGV[20] na, then nd names to delete, ns
//	       name/value pairs to set, na appends (name, k, k elements).
//	       Reply: a code.
//	incr   ARGV[11] the field, ARGV[12] the delta. Reply: {code, new value}
//	       ({replyNotCounter, stored value} for another kind).
//	pop    ARGV[11] the field. Reply: {code, value or false}.
//	swap   ARGV[11] the field, ARGV[12] "1" when an old value is expected,
//	       ARGV[13] it, ARGV[14] "1" to set (else delete), ARGV[15] the new
//	       value. Reply: {0}, {replyConflict, current or false} or {code}.
//	touch  Reply: a code.
//
// One HMGET reads the metadata (the session's own lifetime included) and
// every field the operation changes; the session is checked (renewal
// marker, times, deadline capped by created + absolute); sizes and counts
// follow from the old values and the running @s/@n; one HDEL and one HSET
// write, and PEXPIRE runs only when the touch is due or the lifetime
// changed. The session's own lifetime replaces the rules' idle and
// absolute timeouts as session.Rules.For does.
var changeScript = newScript(`
local key, op = KEYS[1], ARGV[10]
local now, idle, absolute, interval = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local maxsize, maxkeys, maxvalue = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local tabled = op == 'incr' or op == 'pop' or op == 'swap' -- replies {code, ...}

-- The fields the operation changes.
local names, nd, ns, first = {}, 0, 0, 21
if op == 'save' then
  nd, ns = tonumber(ARGV[18]), tonumber(ARGV[19])
  local pos = first
  for i = 1, nd do names[i] = ARGV[pos]; pos = pos + 1 end
  for i = 1, ns do names[nd + i] = ARGV[pos]; pos = pos + 2 end
  for i = 1, tonumber(ARGV[20]) do
    names[nd + ns + i] = ARGV[pos]
    pos = pos + 2 + tonumber(ARGV[pos + 1])
  end
elseif op ~= 'touch' then
  names[1] = ARGV[11]
end

local m
if #names < 4000 then
  m = redis.call('HMGET', key, '@c', '@d', '@t', '@s', '@n', '@m', '@i', '@a', unpack(names))
else -- batches keep unpack() far from Lua's stack limit
  m = redis.call('HMGET', key, '@c', '@d', '@t', '@s', '@n', '@m', '@i', '@a')
  for i = 1, #names, 512 do
    local part = redis.call('HMGET', key, unpack(names, i, math.min(i + 511, #names)))
    for j = 1, #part do m[7 + i + j] = part[j] end
  end
end

-- The session's own lifetime (SetLifetime): ms, absent or unreadable is 0.
local ownidle, ownabs = m[7], m[8]
if ownidle and #ownidle <= 18 and string.match(ownidle, '^%d+$') then ownidle = tonumber(ownidle) else ownidle = 0 end
if ownabs and #ownabs <= 18 and string.match(ownabs, '^%d+$') then ownabs = tonumber(ownabs) else ownabs = 0 end
local relife = op == 'save' and ARGV[15] == '='
local maxidle, maxabs = tonumber(ARGV[8]) or idle, tonumber(ARGV[9]) or absolute
if ownabs > 0 then absolute = math.min(ownabs, maxabs) end

local code = 0
if m[6] then
  code = 4
else
  local c, d = m[1], m[2]
  if c and #c <= 18 and string.match(c, '^%d+$') then c = tonumber(c) else c = nil end
  if d and #d <= 18 and string.match(d, '^%d+$') then d = tonumber(d) else d = nil end
  if not c or not d then
    code = 3
    if not m[1] and not m[2] and redis.call('EXISTS', key) == 0 then code = 1 end
  elseif c > d or c > now + 300000 then
    code = 3
  elseif math.min(d, c + absolute) <= now then
    redis.call('DEL', key)
    code = 1
  end
end
if code ~= 0 then
  if tabled then return {code} end
  return code
end
local deadline = math.min(tonumber(m[2]), tonumber(m[1]) + absolute)
if relife then -- a new lifetime: the rules from the Manager's again, then its own
  ownidle, ownabs, absolute = tonumber(ARGV[16]), tonumber(ARGV[17]), tonumber(ARGV[3])
  if ownabs > 0 then absolute = math.min(ownabs, maxabs) end
  deadline = tonumber(m[1]) + absolute
end
if ownidle > 0 then
  local own = math.min(ownidle, maxidle)
  if own < idle then interval = math.floor(interval * own / idle) end
  idle = own
end
local t = m[3]
if t and #t <= 18 and string.match(t, '^%d+$') then t = tonumber(t) else t = 0 end
local size, n = tonumber(m[4]), tonumber(m[5])
if not size or not n then -- layout 1: count the values once
  size, n = 0, 0
  local h = redis.call('HGETALL', key)
  for i = 1, #h, 2 do
    local f = h[i]
    if string.sub(f, 1, 1) ~= '@' or f == '@user' then
      size, n = size + #f + #h[i + 1] + 64, n + 1
    end
  end
end
local size0, n0 = size, n

-- What to write: dels (names) and set (name, value pairs).
local dels, set, result, pos = {}, {}, nil, first + nd + 2 * ns
for i = 1, #names do
  local name, old, new = names[i], m[8 + i] or nil, nil -- HMGET gives false for absent
  if op == 'save' then
    if i > nd + ns then -- an append: the list with its new elements
      local k = tonumber(ARGV[pos + 1])
      local parts = {}
      if not old or #old == 0 then
        parts[1] = '\1'
      elseif string.byte(old, 1) == 1 then
        parts[1] = old
      else
        parts[1] = '\1' .. #old .. ':' .. old
      end
      for e = pos + 2, pos + 1 + k do parts[#parts + 1] = #ARGV[e] .. ':' .. ARGV[e] end
      new = table.concat(parts)
      pos = pos + 2 + k
    elseif i > nd then
      new = ARGV[first + nd + 2 * (i - nd) - 1]
    end
  elseif op == 'incr' then
    if old and not string.match(old, '^%-?%d+$') then return {5, old} end
    local r = redis.pcall('HINCRBY', key, name, ARGV[12])
    if type(r) == 'table' then return {7} end
    if math.abs(r) < 2^53 then new = string.format('%d', r) else new = redis.call('HGET', key, name) end
    result = new
  elseif op == 'pop' then
    result = old or false
  elseif op == 'swap' then
    local want
    if ARGV[12] == '1' then want = ARGV[13] end
    if old ~= want then return {6, old or false} end
    if ARGV[14] == '1' then new = ARGV[15] end
  end
  if old then size, n = size - #name - #old - 64, n - 1 end
  if new then
    size, n = size + #name + #new + 64, n + 1
    if maxvalue > 0 and #name + #new > maxvalue then code = 2 end
    if op ~= 'incr' then -- HINCRBY wrote it already
      set[#set + 1] = name
      set[#set + 1] = new
    end
  elseif old then
    dels[#dels + 1] = name
  end
end
if maxsize > 0 and size > maxsize and size > size0 or maxkeys > 0 and n > maxkeys and n > n0 then code = 2 end
if code ~= 0 then
  if op == 'incr' then -- put the value back
    if m[9] then redis.call('HSET', key, names[1], m[9]) else redis.call('HDEL', key, names[1]) end
  end
  if tabled then return {code} end
  return code
end
if op == 'save' then
  if ARGV[11] == '=' then
    set[#set + 1] = '@u'
    set[#set + 1] = ARGV[12]
  elseif ARGV[11] == '-' then
    dels[#dels + 1] = '@u'
  end
  if ARGV[13] == '=' then
    set[#set + 1] = '@l'
    set[#set + 1] = ARGV[14]
  end
end
if relife then
  if ownidle > 0 then
    set[#set + 1] = '@i'
    set[#set + 1] = ARGV[16]
  elseif m[7] then
    dels[#dels + 1] = '@i'
  end
  if ownabs > 0 then
    set[#set + 1] = '@a'
    set[#set + 1] = ARGV[17]
  elseif m[8] then
    dels[#dels + 1] = '@a'
  end
  set[#set + 1] = '@d'
  set[#set + 1] = string.format('%d', deadline)
end
local touch = op == 'touch' or now - t >= interval or relife
if size ~= size0 or n ~= n0 or not m[4] then
  set[#set + 1] = '@s'
  set[#set + 1] = string.format('%d', size)
  set[#set + 1] = '@n'
  set[#set + 1] = string.format('%d', n)
end
if touch then
  set[#set + 1] = '@t'
  set[#set + 1] = ARGV[1]
end
for i = 1, #dels, 512 do
  redis.call('HDEL', key, unpack(dels, i, math.min(i + 511, #dels)))
end
for i = 1, #set, 512 do
  redis.call('HSET', key, unpack(set, i, math.min(i + 511, #set)))
end
if touch then redis.call('PEXPIRE', key, math.min(idle, deadline - now)) end
if not tabled then return 0 end
if result == nil then return {0} end
return {0, result}
`)

// takeScript returns the session hash and leaves the renewal marker in its
// place for ARGV[1] ms. Reply: false when absent, replyRenewed for a
// marker, else the hash as HGETALL returns it; Go judges its deadlines.
var takeScript = newScript(`
local h = redis.call('HGETALL', KEYS[1])
if #h == 0 then return false end
for i = 1, #h, 2 do
  if h[i] == '@m' then return 4 end
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], '@m', '1')
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return h
`)

// deleteScript deletes a session and returns its user ("" when none).
var deleteScript = newScript(`
local u = redis.pcall('HGET', KEYS[1], '@u')
if type(u) ~= 'string' then u = '' end
redis.call('DEL', KEYS[1])
return u
`)

// indexScript changes a user's index (KEYS[1]). ARGV[1] now (unix ms),
// ARGV[2] the session limit (0: none), ARGV[3] "1" to refuse beyond it
// rather than evict, ARGV[4] n, then n handle/deadline pairs to add, then
// the handles to drop. A session's handle is its 43-character ID; longer
// ones are remember-me tokens, which the limit does not count.
// Reply: {1} when refused, else {0, evicted handle, ...}.
var indexScript = newScript(`
local key = KEYS[1]
local now, max, refuse, n = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3] == '1', tonumber(ARGV[4])
local firstDrop = 5 + 2 * n
redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
for i = firstDrop, #ARGV, 512 do
  redis.call('ZREM', key, unpack(ARGV, i, math.min(i + 511, #ARGV)))
end
local function sessions()
  local members, count = redis.call('ZRANGE', key, 0, -1), 0
  for _, m in ipairs(members) do
    if #m == 43 then count = count + 1 end
  end
  return count, members
end
if max > 0 and refuse then
  local adding = 0
  for i = 5, firstDrop - 1, 2 do
    if #ARGV[i] == 43 and not redis.call('ZSCORE', key, ARGV[i]) then adding = adding + 1 end
  end
  if adding > 0 and sessions() + adding > max then return {1} end
end
for i = 5, firstDrop - 1, 2 do
  redis.call('ZADD', key, ARGV[i + 1], ARGV[i])
end
local reply = {0}
if max > 0 and not refuse then
  local count, members = sessions()
  for _, m in ipairs(members) do -- oldest deadline first
    if count <= max then break end
    if #m == 43 then
      redis.call('ZREM', key, m)
      reply[#reply + 1] = m
      count = count - 1
    end
  end
end
local last = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
if #last == 0 then
  redis.call('DEL', key)
else
  redis.call('PEXPIREAT', key, last[2])
end
return reply
`)

// useRememberScript checks a remember-me token (KEYS[1]): ARGV[1] now
// (unix ms), ARGV[2] the presented validator hash, ARGV[3] the next one,
// ARGV[4] the grace of the previous one (ms). Reply: {outcome, user,
// label, created, expires}, outcome 0 rotated (the only one that writes),
// 1 not found, 2 the previous validator within its grace, 3 stolen.
var useRememberScript = newScript(`
local r = redis.call('HMGET', KEYS[1], 'v', 'p', 'pu', 'u', 'l', 'c', 'e')
local now = tonumber(ARGV[1])
if not r[1] or not r[7] or tonumber(r[7]) <= now then return {1} end
local rec = {r[4] or '', r[5] or '', r[6] or '0', r[7]}
if r[1] == ARGV[2] then
  redis.call('HSET', KEYS[1], 'v', ARGV[3], 'p', ARGV[2], 'pu', now + tonumber(ARGV[4]))
  return {0, unpack(rec)}
end
if r[2] == ARGV[2] and tonumber(r[3]) > now then return {2, unpack(rec)} end
return {3, unpack(rec)}
`)
