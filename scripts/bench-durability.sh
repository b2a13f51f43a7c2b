#!/usr/bin/env bash
# The cost of SQLite durability: the same write (recording a contact through the API, one
# transaction with its audit event) under synchronous=FULL (the default) and synchronous=NORMAL,
# side by side in one run, reported as throughput and latency percentiles and as a ratio.
# Sends traffic to 127.0.0.1 only, for a fixed time.
#   scripts/bench-durability.sh            # DURATION=10s CONNECTIONS=4 by default
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-4}"
PORT="${PORT:-8283}"
cargo build --release --locked -p whatmatters >/dev/null
bin=target/release/whatmatters
work="$(mktemp -d)"
cat > "$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"kind":"phone","duration_minutes":15,"notes":"Talked through the walking group"}'
done = function(summary, latency, requests)
  io.write(string.format("%.0f %.2f %.2f %.2f %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
LUA
declare -A rps
echo "SQLite writes: POST /api/v1/referrals/3/contacts as the link worker, $CONNECTIONS connections, $DURATION each, $(nproc) cores"
printf '%-8s %10s %9s %9s %9s %7s\n' mode "req/s" "p50 ms" "p95 ms" "p99 ms" errors
for mode in full normal; do
  db="$work/$mode.db"
  WHATMATTERS_OUTBOX_DIR="$work/outbox" WHATMATTERS_SQLITE_SYNCHRONOUS="$mode" RUST_LOG=warn \
    "$bin" demo --db "$db" --port "$PORT" >"$work/$mode.log" 2>&1 &
  server=$!
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.5; done
  token="$(WHATMATTERS_DATABASE_URL="sqlite://$db" "$bin" user token --email link.worker@demo.whatmatters.test --name bench --days 1)"
  status=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d '{"kind":"phone"}' "http://127.0.0.1:$PORT/api/v1/referrals/3/contacts")
  [ "$status" = 201 ] || { echo "a contact could not be recorded ($status)"; cat "$work/$mode.log"; exit 1; }
  read -r r p50 p95 p99 errors < <(wrk -t"$(( CONNECTIONS < 2 ? CONNECTIONS : 2 ))" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$work/post.lua" \
    -H "Authorization: Bearer $token" "http://127.0.0.1:$PORT/api/v1/referrals/3/contacts" | tail -1)
  printf '%-8s %10s %9s %9s %9s %7s\n' "$mode" "$r" "$p50" "$p95" "$p99" "$errors"
  rps[$mode]=$r
  kill "$server"; wait "$server" 2>/dev/null || true
done
awk -v f="${rps[full]}" -v n="${rps[normal]}" 'BEGIN { printf "FULL / NORMAL throughput: %.2f\n", f / n }'
