-- wrk script for the bare axum handler (examples/server/examples/noop.rs).
wrk.method = "POST"
wrk.path = "/noop"

function done(summary, latency, requests)
  local l = latency
  io.write(string.format("requests/s %.0f  p50 %.2f ms  p99 %.2f ms  p99.9 %.2f ms\n",
    summary.requests / (summary.duration / 1e6),
    l:percentile(50) / 1000, l:percentile(99) / 1000, l:percentile(99.9) / 1000))
end
