#!/usr/bin/env bash
# The community directory's search at scale: SERVICES generated services across England
# (`demo --services`), searched by a word within 5 km of a postcode.
#
# 1. In process: `whatmatters bench-search` times the whole search (typo check, count, page, each
#    service read whole) beside the bare SQL of the same page query, p50/p95/p99.
# 2. Over HTTP: wrk on GET /openreferral/services?search=WORD&postcode=PC&proximity=5000, with a
#    random word and postcode each request, beside the limit (benches/limit: a bare axum + SQLite
#    read by key) in the same run.
#
#   scripts/bench-directory.sh                      # SQLite, SERVICES=200000
#   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/wm_bench_dir CONNECTIONS=4 scripts/bench-directory.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
SERVICES="${SERVICES:-200000}"
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-8}"
THREADS=$(( CONNECTIONS < 2 ? CONNECTIONS : 2 ))
PORT="${PORT:-8286}"
LIMIT_PORT="${LIMIT_PORT:-8291}"
cargo build --release --locked -p whatmatters -p limit >/dev/null
work="$(mktemp -d)"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT

cat > "$work/report.lua" <<'LUA'
local lines = {}
init = function(args)
  for line in io.lines(args[1]) do lines[#lines + 1] = line end
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end
request = function()
  local line = lines[math.random(#lines)]
  local path = string.gsub(wrk.path, "__Q__", function() return line end)
  return wrk.format(nil, path)
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %.0f %.2f %.2f %.2f %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
LUA
load() {
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$work/report.lua" "$1" -- "$2" |
    awk '/^RESULT/ { print $2, $3, $4, $5, $6 }'
}

if [ -n "${BENCH_DATABASE_URL:-}" ]; then
  admin="${BENCH_DATABASE_URL%/*}/postgres"
  db="${BENCH_DATABASE_URL##*/}"
  psql "$admin" -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" -c "CREATE DATABASE \"$db\""
  backend=PostgreSQL
  url="$BENCH_DATABASE_URL"
else
  backend=SQLite
  url="sqlite://$work/directory.db"
fi
start=$(date +%s)
WHATMATTERS_OUTBOX_DIR="$work/outbox" RUST_LOG=warn \
  target/release/whatmatters demo --database-url "$url" --no-serve --services "$SERVICES" >"$work/seed.log" 2>&1
echo "seeded $SERVICES services in $(( $(date +%s) - start )) s"
if [ -n "${BENCH_DATABASE_URL:-}" ]; then psql "$BENCH_DATABASE_URL" -qc "VACUUM ANALYZE"; fi

echo "backend: $backend; $SERVICES services; $(nproc) cores"
WHATMATTERS_DATABASE_URL="$url" RUST_LOG=warn target/release/whatmatters bench-search --iterations 2000 --radius 5000

# The same over HTTP.
target/release/limit --port "$LIMIT_PORT" --rows 50000 >"$work/limit.log" 2>&1 &
pids+=($!)
WHATMATTERS_DATABASE_URL="$url" WHATMATTERS_PORT="$PORT" WHATMATTERS_OUTBOX_DIR="$work/outbox" RUST_LOG=warn \
  target/release/whatmatters serve >"$work/server.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 240); do
  curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && curl -sf "http://127.0.0.1:$LIMIT_PORT/people/1" >/dev/null && break
  sleep 0.5
done
WHATMATTERS_DATABASE_URL="$url" python3 - "$work/queries" "$work/limit-ids" <<'PY'
import random, sys
words = ["walk", "carers", "food", "debt", "choir", "garden", "digital", "lunch", "bereavement", "job"]
letters = "ABCDEFGHJL"
random.seed(1)
with open(sys.argv[1], "w") as f:
    for i in range(2000):
        k = random.randrange(2000)
        pc = f"ZZ{1 + k // 100}%20{k % 10}{letters[(k // 10) % 10]}{letters[(k // 10) % 10]}"
        f.write(f"search={random.choice(words)}&postcode={pc}&proximity=5000\n")
with open(sys.argv[2], "w") as f:
    for i in range(1, 50001):
        f.write(f"{i}\n")
PY
printf '%-44s %9s %9s %9s %9s %7s\n' endpoint "req/s" "p50 ms" "p95 ms" "p99 ms" errors
read -r lr l50 l95 l99 le < <(load "http://127.0.0.1:$LIMIT_PORT/people/__Q__" "$work/limit-ids")
printf '%-44s %9s %9s %9s %9s %7s\n' "limit GET /people/{id}" "$lr" "$l50" "$l95" "$l99" "$le"
read -r r p50 p95 p99 e < <(load "http://127.0.0.1:$PORT/openreferral/services?__Q__" "$work/queries")
printf '%-44s %9s %9s %9s %9s %7s\n' "GET /openreferral/services, $CONNECTIONS at once" "$r" "$p50" "$p95" "$p99" "$e"
# One client at a time: the latency of a search itself, without waiting behind others.
CONNECTIONS=1 THREADS=1
read -r r p50 p95 p99 e < <(load "http://127.0.0.1:$PORT/openreferral/services?__Q__" "$work/queries")
printf '%-44s %9s %9s %9s %9s %7s\n' "GET /openreferral/services, one at a time" "$r" "$p50" "$p95" "$p99" "$e"
