package redisstore

// The scripts run with EVALSHA (EVAL on NOSCRIPT). Each touches exactly one
// key, KEYS[1], so every script is Cluster-safe. Times come from ARGV (the
// engine's clock), not from the server.
//
// Every changing script costs O(fields it changes): it reads the metadata
// and the changed fields with one HMGET, checks the session, writes with one
// HSET (values and metadata together), one HDEL for deletes, and a PEXPIRE
// only when the touch is due. The size limit is checked from the running
// total @s, never by reading the whole hash.
//
// Scripts whose effect is the same when run twice (save without appends,
// swap, touch, create) may be retried by go-redis; incr, pop, take and a save
// with appends are sent with retries off (see run).

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

// prelude is shared by the changing scripts. ARGV[1..7] are the rules:
// now (unix ms), idle (ms), absolute (ms), touch interval (ms), max size,
// max keys, max value (0: no limit). ARGV[8...] belong to each script.
const prelude = `
local key = KEYS[1]
local now, idle, absolute, interval = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local maxsize, maxkeys, maxvalue = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local OVERHEAD, SKEW = 64, 300000

local function millis(v)
  if v and #v <= 18 and string.match(v, '^%d+$') then return tonumber(v) end
  return nil
end

local function int(n) return string.format('%d', n) end

-- hmget is HMGET in batches that keep unpack() far from Lua's stack limit.
local function hmget(names)
  local out = {}
  for i = 1, #names, 512 do
    local part = redis.call('HMGET', key, unpack(names, i, math.min(i + 511, #names)))
    for j = 1, #part do out[#out + 1] = part[j] end
  end
  return out
end

-- open checks that the session can be changed and returns its state, with
-- st.old[i] the stored value of names[i] (nil when absent); or nil and the
-- reply code.
local function open(names)
  local meta = redis.call('HMGET', key, '@c', '@d', '@t', '@s', '@n', '@m')
  if meta[6] then return nil, 4 end
  local c, d = millis(meta[1]), millis(meta[2])
  if not c or not d then
    if not meta[1] and not meta[2] and redis.call('EXISTS', key) == 0 then return nil, 1 end
    return nil, 3
  end
  if c > d or c > now + SKEW then return nil, 3 end
  d = math.min(d, c + absolute)
  if d <= now then
    redis.call('DEL', key)
    return nil, 1
  end
  local st = {d = d, t = millis(meta[3]) or 0, size = tonumber(meta[4]), n = tonumber(meta[5]), old = {}, set = {}, del = {}}
  if not st.size or not st.n then
    -- Layout 1: count the values once.
    st.size, st.n = 0, 0
    local h = redis.call('HGETALL', key)
    for i = 1, #h, 2 do
      local f = h[i]
      if string.sub(f, 1, 1) ~= '@' or f == '@user' then
        st.size, st.n = st.size + #f + #h[i + 1] + OVERHEAD, st.n + 1
      end
    end
  end
  st.size0, st.n0 = st.size, st.n
  if #names > 0 then
    local old = hmget(names)
    for i = 1, #names do st.old[i] = old[i] or nil end
  end
  return st
end

-- change records that value name goes from old to new (nil: absent) and
-- keeps the running size and count; false when new breaks the value limit.
local function change(st, name, old, new)
  if old then st.size, st.n = st.size - #name - #old - OVERHEAD, st.n - 1 end
  if new then
    if maxvalue > 0 and #name + #new > maxvalue then return false end
    st.size, st.n = st.size + #name + #new + OVERHEAD, st.n + 1
    st.set[#st.set + 1] = name
    st.set[#st.set + 1] = new
  elseif old then
    st.del[#st.del + 1] = name
  end
  return true
end

-- fits reports whether the session is within the limits, or at least not
-- growing past them (limits lowered below a stored session still let it
-- shrink).
local function fits(st)
  if maxsize > 0 and st.size > maxsize and st.size > st.size0 then return false end
  if maxkeys > 0 and st.n > maxkeys and st.n > st.n0 then return false end
  return true
end

-- finish writes the changes and the metadata, and extends the lifetime
-- when the touch is due. It writes nothing when nothing changed and no
-- touch is due.
local function finish(st, extra)
  local set = st.set
  for i = 1, #extra do set[#set + 1] = extra[i] end
  local touch = now - st.t >= interval
  if #st.del > 0 then
    for i = 1, #st.del, 512 do
      redis.call('HDEL', key, unpack(st.del, i, math.min(i + 511, #st.del)))
    end
  end
  if #set == 0 and #st.del == 0 and not touch and st.size == st.size0 and st.n == st.n0 then return end
  set[#set + 1] = '@s'
  set[#set + 1] = int(st.size)
  set[#set + 1] = '@n'
  set[#set + 1] = int(st.n)
  if touch then
    set[#set + 1] = '@t'
    set[#set + 1] = ARGV[1]
  end
  for i = 1, #set, 512 do
    redis.call('HSET', key, unpack(set, i, math.min(i + 511, #set)))
  end
  if touch then redis.call('PEXPIRE', key, math.min(idle, st.d - now)) end
end

local function frame(e) return int(#e) .. ':' .. e end

-- appendList mirrors session.AppendList.
local function appendList(old, elems)
  local parts = {}
  if not old or #old == 0 then
    parts[1] = '\1'
  elseif string.byte(old, 1) == 1 then
    parts[1] = old
  else
    parts[1] = '\1' .. frame(old)
  end
  for i = 1, #elems do parts[#parts + 1] = frame(elems[i]) end
  return table.concat(parts)
end
`

// createScript writes a new session. ARGV[1] TTL (ms), then field, value,
// ... for HSET: metadata and values, counted by Go (the limits too). No
// check: the ID is fresh. Reply: 0.
var createScript = newScript(`
for i = 2, #ARGV, 512 do
  redis.call('HSET', KEYS[1], unpack(ARGV, i, math.min(i + 511, #ARGV)))
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 0
`)

// saveScript applies a delta. ARGV[8] user action ("" none, "=" set, "-"
// remove), ARGV[9] the user, ARGV[10] label action ("" none, "=" set),
// ARGV[11] the label, ARGV[12] nd, ARGV[13] ns, ARGV[14] na, then nd names
// to delete, ns name/value pairs to set, and na appends, each name, k, k
// elements. Reply: a code.
var saveScript = newScript(prelude + `
local nd, ns, na = tonumber(ARGV[12]), tonumber(ARGV[13]), tonumber(ARGV[14])
local names, appends, pos = {}, {}, 15
for i = 1, nd do names[#names + 1] = ARGV[pos]; pos = pos + 1 end
for i = 1, ns do names[#names + 1] = ARGV[pos]; pos = pos + 2 end
for i = 1, na do
  local k = tonumber(ARGV[pos + 1])
  names[#names + 1] = ARGV[pos]
  appends[i] = {pos = pos + 2, k = k}
  pos = pos + 2 + k
end
local st, code = open(names)
if not st then return code end
local i = 1
for j = 1, nd do change(st, names[i], st.old[i], nil); i = i + 1 end
pos = 15 + nd
for j = 1, ns do
  if not change(st, names[i], st.old[i], ARGV[pos + 1]) then return 2 end
  i, pos = i + 1, pos + 2
end
for j = 1, na do
  local a = appends[j]
  local new = appendList(st.old[i], {unpack(ARGV, a.pos, a.pos + a.k - 1)})
  if not change(st, names[i], st.old[i], new) then return 2 end
  i = i + 1
end
if not fits(st) then return 2 end
local extra = {}
if ARGV[8] == '=' then
  extra = {'@u', ARGV[9]}
elseif ARGV[8] == '-' then
  st.del[#st.del + 1] = '@u'
end
if ARGV[10] == '=' then
  extra[#extra + 1] = '@l'
  extra[#extra + 1] = ARGV[11]
end
finish(st, extra)
return 0
`)

// incrScript adds ARGV[9] to the counter ARGV[8]. Reply: {code, value},
// the value being the new counter (a string) or, with replyNotCounter, the
// stored value.
var incrScript = newScript(prelude + `
local field, delta = ARGV[8], ARGV[9]
local st, code = open({field})
if not st then return {code} end
local old = st.old[1]
if old and not string.match(old, '^%-?%d+$') then return {5, old} end
local r = redis.pcall('HINCRBY', key, field, delta)
if type(r) == 'table' then return {7} end
local new
if math.abs(r) < 2^53 then new = int(r) else new = redis.call('HGET', key, field) end
-- The value is written; account for it, then refuse only a session
-- grown past its limits, putting the old value back.
change(st, field, old, new)
st.set = {}
if not fits(st) then
  if old then redis.call('HSET', key, field, old) else redis.call('HDEL', key, field) end
  return {2}
end
finish(st, {})
return {0, new}
`)

// popScript removes the value ARGV[8] and returns it. Reply: {code, value}
// (value false when absent).
var popScript = newScript(prelude + `
local field = ARGV[8]
local st, code = open({field})
if not st then return {code} end
local old = st.old[1]
change(st, field, old, nil)
finish(st, {})
return {0, old or false}
`)

// swapScript sets the value ARGV[8] to ARGV[12] (deletes it when ARGV[11]
// is "0") if it still equals ARGV[10] (absent when ARGV[9] is "0"). Reply:
// {0} when swapped, {replyConflict, current or false}, or {code}.
var swapScript = newScript(prelude + `
local field = ARGV[8]
local st, code = open({field})
if not st then return {code} end
local cur = st.old[1]
local want
if ARGV[9] == '1' then want = ARGV[10] end
if cur ~= want then return {6, cur or false} end
local new
if ARGV[11] == '1' then new = ARGV[12] end
if not change(st, field, cur, new) or not fits(st) then return {2} end
finish(st, {})
return {0}
`)

// touchScript extends the lifetime of a session that is still there.
// Reply: a code.
var touchScript = newScript(prelude + `
local st, code = open({})
if not st then return code end
st.t = -1 / 0
finish(st, {})
return 0
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
