#!/usr/bin/env bash
# Load test: throughput and latency percentiles of /healthz and of authenticated pages, on
# SQLite and (with BENCH_DATABASE_URL) PostgreSQL. Sends traffic to 127.0.0.1 only, for a fixed time.
#   scripts/bench.sh                 # SQLite
#   BENCH_DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/wm_bench scripts/bench.sh
# The care pages with 50,000 people in the database, as a link worker:
#   PEOPLE=50000 BENCH_USER=link.worker@demo.whatmatters.test PATHS="/caseload /people/1" scripts/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
DURATION="${DURATION:-15s}"
CONNECTIONS="${CONNECTIONS:-32}"
THREADS="${THREADS:-2}"
PORT="${PORT:-8282}"
cargo build --release --locked -p whatmatters >/dev/null
work="$(mktemp -d)"
if [ -n "${BENCH_DATABASE_URL:-}" ]; then
  admin="${BENCH_DATABASE_URL%/*}/postgres"
  db="${BENCH_DATABASE_URL##*/}"
  psql "$admin" -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" -c "CREATE DATABASE \"$db\""
  backend=PostgreSQL
  url="$BENCH_DATABASE_URL"
else
  backend=SQLite
  url="sqlite://$work/bench.db"
fi
WHATMATTERS_OUTBOX_DIR="$work/outbox" RUST_LOG=warn \
  target/release/whatmatters demo --database-url "$url" --port "$PORT" ${PEOPLE:+--people "$PEOPLE"} >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.5; done

# After a bulk load PostgreSQL needs its statistics and visibility map, as autovacuum would give it.
if [ -n "${BENCH_DATABASE_URL:-}" ]; then psql "$BENCH_DATABASE_URL" -qc "VACUUM ANALYZE"; fi

# Sign in and keep the session cookie.
jar="$work/cookies"
csrf=$(curl -s -c "$jar" "http://127.0.0.1:$PORT/sign-in" | sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -1)
curl -s -b "$jar" -c "$jar" -o /dev/null -d "csrf_token=$csrf&email=${BENCH_USER:-pcn.manager@demo.whatmatters.test}&password=whatmatters-demo" "http://127.0.0.1:$PORT/sign-in"
cookie=$(awk '$6=="wm_session"{print "wm_session="$7}' "$jar")
[ -n "$cookie" ] || { echo "could not sign in"; exit 1; }

cat > "$work/report.lua" <<'LUA'
done = function(summary, latency, requests)
  io.write(string.format("  requests/s %.0f  p50 %.2f ms  p95 %.2f ms  p99 %.2f ms  errors %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
LUA
echo "backend: $backend, $THREADS threads, $CONNECTIONS connections, $DURATION each, $(nproc) cores${PEOPLE:+, $PEOPLE extra people}"
for path in ${PATHS:-/healthz /organisations /account}; do
  echo "GET $path"
  if [ "$path" = /healthz ]; then h=(); else h=(-H "Cookie: $cookie"); fi
  curl -s -o /dev/null -w "  status %{http_code}\n" "${h[@]}" "http://127.0.0.1:$PORT$path"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$work/report.lua" "${h[@]}" "http://127.0.0.1:$PORT$path" | grep "requests/s"
done
