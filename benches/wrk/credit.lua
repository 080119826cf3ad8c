-- wrk script: POST a change credit per request, each with a fresh
-- Idempotency-Key, signed in as a vendor.
-- Environment: DCMS_VENDOR_TOKEN, DCMS_VENDOR (default corner-shop),
-- DCMS_ALICE_ACCOUNT (the customer credited).
local token = os.getenv("DCMS_VENDOR_TOKEN")
local vendor = os.getenv("DCMS_VENDOR") or "corner-shop"
local account = os.getenv("DCMS_ALICE_ACCOUNT")
local run = tostring(os.time())
local counter = 0
local nthreads = 0

-- Runs in the main state; `tid` becomes a global of each thread's state
-- (so it must not be declared local here).
function setup(thread)
  nthreads = nthreads + 1
  thread:set("tid", nthreads)
end

function init(args)
  wrk.method = "POST"
  wrk.path = "/v1/vendors/" .. vendor .. "/credits"
  wrk.headers["Authorization"] = "Bearer " .. token
  wrk.headers["Content-Type"] = "application/json"
  wrk.body = '{"account":"' .. account .. '","total":"6.63","tendered":"10.00"}'
end

function request()
  counter = counter + 1
  wrk.headers["Idempotency-Key"] = "wrk-" .. run .. "-" .. tid .. "-" .. counter
  return wrk.format()
end

function done(summary, latency, requests)
  local l = latency
  io.write(string.format("requests/s %.0f  p50 %.2f ms  p99 %.2f ms  p99.9 %.2f ms  errors %d\n",
    summary.requests / (summary.duration / 1e6),
    l:percentile(50) / 1000, l:percentile(99) / 1000, l:percentile(99.9) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
