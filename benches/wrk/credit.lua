-- wrk script: POST a change credit per request, each with a fresh
-- Idempotency-Key, signed in as a vendor.
--
-- A chain's tills credit many customers, so the requests go round the
-- accounts listed in DCMS_WRK_ACCOUNTS_FILE (one id per line, opened by
-- run.sh); with one account in the file every credit lands on one customer,
-- which is the worst case for the store (one customer's credits commit one
-- batch at a time). wrk's first thread is the USD vendor's till
-- (DCMS_VENDOR_TOKEN, corner-shop, 6.63 paid with 10.00), the second the
-- JPY vendor's (DCMS_VENDOR2_TOKEN, tokyo-kiosk, 1630 paid with 5000); more
-- threads alternate between the two.
local accounts_file = os.getenv("DCMS_WRK_ACCOUNTS_FILE")
local run = tostring(os.time())
local counter = 0
local nthreads = 0

local tills = {
  { token = os.getenv("DCMS_VENDOR_TOKEN"), vendor = "corner-shop", total = "6.63", tendered = "10.00" },
  { token = os.getenv("DCMS_VENDOR2_TOKEN"), vendor = "tokyo-kiosk", total = "1630", tendered = "5000" },
}

-- Runs in the main state; `tid` becomes a global of each thread's state
-- (so it must not be declared local here).
function setup(thread)
  nthreads = nthreads + 1
  thread:set("tid", nthreads)
end

function init(args)
  accounts = {}
  for line in io.lines(accounts_file) do
    if #line > 0 then accounts[#accounts + 1] = line end
  end
  till = tills[(tid - 1) % #tills + 1]
  path = "/v1/vendors/" .. till.vendor .. "/credits"
  headers = {
    ["Authorization"] = "Bearer " .. till.token,
    ["Content-Type"] = "application/json",
  }
end

function request()
  counter = counter + 1
  -- Threads start at different accounts, so they rarely credit the same
  -- customer at the same moment.
  local account = accounts[(counter + tid * 7919) % #accounts + 1]
  headers["Idempotency-Key"] = "wrk-" .. run .. "-" .. tid .. "-" .. counter
  local body = '{"account":"' .. account .. '","total":"' .. till.total
    .. '","tendered":"' .. till.tendered .. '"}'
  return wrk.format("POST", path, headers, body)
end

function done(summary, latency, requests)
  local l = latency
  io.write(string.format("requests/s %.0f  p50 %.2f ms  p99 %.2f ms  p99.9 %.2f ms  errors %d\n",
    summary.requests / (summary.duration / 1e6),
    l:percentile(50) / 1000, l:percentile(99) / 1000, l:percentile(99.9) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
