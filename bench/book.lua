-- POST /appointments with fresh data for every request, each into a slot known to be free.
-- The runner writes the free slots ("doctor_id date time" per line) to BENCH_SLOTS and
-- passes a session cookie, its CSRF token and wrk's thread count in the environment.
local cookie = os.getenv("BENCH_COOKIE")
local token = os.getenv("BENCH_CSRF")
local threads = tonumber(os.getenv("BENCH_THREADS"))
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end

local slots = {}
-- Where in the slot list to start (the warm-up run takes the second half, the measured run
-- the first), so that no run books a slot another one took.
local counter = tonumber(os.getenv("BENCH_START") or "0")

function init(args)
  for line in io.lines(os.getenv("BENCH_SLOTS")) do
    table.insert(slots, line)
  end
end

function request()
  counter = counter + 1
  local index = (counter - 1) * threads + id  -- every thread walks its own slots
  local doctor, day, time = slots[index % #slots + 1]:match("(%S+) (%S+) (%S+)")
  local n = id * 10000000 + counter
  local body = "name=Bench+Patient+" .. n ..
    "&phone=%2B9188" .. string.format("%08d", n % 100000000) ..
    "&email=bench%40example.com&doctor_id=" .. doctor .. "&date=" .. day ..
    "&time=" .. time .. "&csrf_token=" .. token
  return wrk.format("POST", "/appointments", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = cookie,
  }, body)
end
