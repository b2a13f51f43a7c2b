#!/usr/bin/env bash
# Booking under load: `whatmatters bench-booking` on SQLite and on PostgreSQL, beside pgbench's
# default read-write (TPC-B-like) transactions in the same run on the same PostgreSQL.
#
#   scripts/bench-booking.sh                 # CLIENTS=64 DURATION=10 (seconds each)
#   CLIENTS=16 DURATION=5 scripts/bench-booking.sh
set -euo pipefail
cd "$(dirname "$0")/.."
CLIENTS="${CLIENTS:-64}"
SECONDS_EACH="${DURATION:-10}"
PG="${BENCH_PG:-postgres://postgres@127.0.0.1:5432}"
PGBENCH="$(command -v pgbench || ls /usr/lib/postgresql/*/bin/pgbench | tail -1)"
cargo build --release --locked -p whatmatters >/dev/null
work="$(mktemp -d)"
export WHATMATTERS_OUTBOX_DIR="$work/outbox" RUST_LOG=warn

echo "== SQLite"
url="sqlite://$work/booking.db"
target/release/whatmatters demo --database-url "$url" --no-serve >/dev/null
WHATMATTERS_DATABASE_URL="$url" target/release/whatmatters bench-booking --clients "$CLIENTS" --seconds "$SECONDS_EACH"

echo "== PostgreSQL"
psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS wm_bench_booking WITH (FORCE)" -c "CREATE DATABASE wm_bench_booking" \
  -c "DROP DATABASE IF EXISTS wm_pgbench WITH (FORCE)" -c "CREATE DATABASE wm_pgbench"
target/release/whatmatters demo --database-url "$PG/wm_bench_booking" --no-serve >/dev/null
"$PGBENCH" -q -i -s 10 "$PG/wm_pgbench" >/dev/null 2>&1
echo "pgbench (default TPC-B-like read-write, scale 10, 8 clients, ${SECONDS_EACH} s):"
"$PGBENCH" -c 8 -j 2 -T "$SECONDS_EACH" "$PG/wm_pgbench" 2>/dev/null | grep -E "^tps|latency average"
WHATMATTERS_DATABASE_URL="$PG/wm_bench_booking" target/release/whatmatters bench-booking --clients "$CLIENTS" --seconds "$SECONDS_EACH"
"$PGBENCH" -c 8 -j 2 -T "$SECONDS_EACH" "$PG/wm_pgbench" 2>/dev/null | grep -E "^tps"
