#!/usr/bin/env bash
# The signed-in path, measured against the limit of this machine in the same run.
#
# 1. The limit: benches/limit, a minimal axum + SQLite server answering one row by key as JSON.
# 2. whatmatters with `demo --people 50000`, signed in as the link worker, reading random people
#    of their caseload (API and page), their account page, the team's caseload and their home
#    page (referrals to triage, people not contacted lately, reviews and follow-ups due).
# Each is loaded by wrk from 127.0.0.1 for DURATION with CONNECTIONS connections; the report gives
# requests/s, p50/p95/p99 and the ratio to the limit. Memory: the server's RSS idle and under load.
#
#   scripts/bench-signed-in.sh                      # SQLite, DURATION=10s CONNECTIONS=32
#   BENCH_DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/wm_bench CONNECTIONS=4 scripts/bench-signed-in.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-32}"
THREADS=$(( CONNECTIONS < 2 ? CONNECTIONS : 2 ))
PEOPLE="${PEOPLE:-50000}"
PORT="${PORT:-8284}"
LIMIT_PORT="${LIMIT_PORT:-8290}"
cargo build --release --locked -p whatmatters -p limit >/dev/null
work="$(mktemp -d)"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT

cat > "$work/report.lua" <<'LUA'
local ids = {}
init = function(args)
  for line in io.lines(args[1]) do ids[#ids + 1] = line end
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end
request = function()
  local path = wrk.path
  if #ids > 0 then path = string.gsub(path, "__ID__", ids[math.random(#ids)]) end
  return wrk.format(nil, path)
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %.0f %.2f %.2f %.2f %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
LUA

# load URL IDS_FILE [header...]: prints "req/s p50 p95 p99 errors"
load() {
  local url="$1" ids="$2"; shift 2
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$work/report.lua" "$@" "$url" -- "$ids" |
    awk '/^RESULT/ { print $2, $3, $4, $5, $6 }'
}
rss() { awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

# The limit.
target/release/limit --port "$LIMIT_PORT" --rows "$PEOPLE" >"$work/limit.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 240); do curl -sf "http://127.0.0.1:$LIMIT_PORT/people/1" >/dev/null && break; sleep 0.5; done
seq 1 "$PEOPLE" >"$work/limit-ids"

# whatmatters.
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
  target/release/whatmatters demo --database-url "$url" --port "$PORT" --people "$PEOPLE" >"$work/server.log" 2>&1 &
server=$!
pids+=("$server")
for _ in $(seq 1 1200); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.5; done
if [ -n "${BENCH_DATABASE_URL:-}" ]; then psql "$BENCH_DATABASE_URL" -qc "VACUUM ANALYZE"; fi
user=link.worker@demo.whatmatters.test
token="$(WHATMATTERS_DATABASE_URL="$url" target/release/whatmatters user token --email "$user" --name bench --days 1)"
jar="$work/cookies"
csrf=$(curl -s -c "$jar" "http://127.0.0.1:$PORT/sign-in" | sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -1)
curl -s -b "$jar" -c "$jar" -o /dev/null -d "csrf_token=$csrf&email=$user&password=whatmatters-demo" "http://127.0.0.1:$PORT/sign-in"
cookie=$(awk '$6=="wm_session"{print "wm_session="$7}' "$jar")
[ -n "$cookie" ] || { echo "could not sign in"; cat "$work/server.log"; exit 1; }
# People of the link worker's caseload (the first 200 by referral date).
curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$PORT/api/v1/caseload?state=all&per_page=200" |
  python3 -c 'import json,sys; [print(i["person"]["id"]) for i in json.load(sys.stdin)["items"]]' >"$work/ids"
[ -s "$work/ids" ] || { echo "no caseload"; exit 1; }
idle_rss=$(rss "$server")

echo "backend: $backend; $PEOPLE people; $CONNECTIONS connections, $THREADS wrk threads, $DURATION each; $(nproc) cores"
printf '%-30s %9s %9s %9s %9s %7s %9s\n' endpoint "req/s" "p50 ms" "p95 ms" "p99 ms" errors "of limit"
read -r lr l50 l95 l99 le < <(load "http://127.0.0.1:$LIMIT_PORT/people/__ID__" "$work/limit-ids")
printf '%-30s %9s %9s %9s %9s %7s %9s\n' "limit GET /people/{id}" "$lr" "$l50" "$l95" "$l99" "$le" "100%"
peak=0
while IFS='|' read -r name path auth; do
  if [ "$auth" = token ]; then h=(-H "Authorization: Bearer $token"); else h=(-H "Cookie: $cookie"); fi
  read -r r p50 p95 p99 e < <(load "http://127.0.0.1:$PORT$path" "$work/ids" "${h[@]}")
  now=$(rss "$server"); [ "$now" -gt "$peak" ] && peak=$now
  printf '%-30s %9s %9s %9s %9s %7s %8.1f%%\n' "$name" "$r" "$p50" "$p95" "$p99" "$e" "$(awk -v a="$r" -v b="$lr" 'BEGIN { print 100 * a / b }')"
done <<'PATHS'
GET /api/v1/people/{id}|/api/v1/people/__ID__|token
GET /people/{id}|/people/__ID__|cookie
GET /account|/account|cookie
GET /caseload (everyone's)|/caseload?worker=anyone|cookie
GET / (the worker's day)|/|cookie
PATHS
echo "server RSS: idle ${idle_rss} MB, under load ${peak} MB"
