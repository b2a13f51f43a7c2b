#!/usr/bin/env bash
# A message to a mailing list of many subscribers: `whatmatters bench-list` on SQLite and on
# PostgreSQL, beside pgbench's default read-write (TPC-B-like) transactions in the same run on
# the same PostgreSQL.
#
#   scripts/bench-list.sh                    # SUBSCRIBERS=10000 BATCH=10
set -euo pipefail
cd "$(dirname "$0")/.."
SUBSCRIBERS="${SUBSCRIBERS:-10000}"
BATCH="${BATCH:-10}"
PG="${BENCH_PG:-postgres://postgres@127.0.0.1:5432}"
PGBENCH="$(command -v pgbench || ls /usr/lib/postgresql/*/bin/pgbench | tail -1)"
cargo build --release --locked -p whatmatters >/dev/null
work="$(mktemp -d)"
export WHATMATTERS_OUTBOX_DIR="$work/outbox" RUST_LOG=warn

echo "== SQLite"
url="sqlite://$work/list.db"
target/release/whatmatters demo --database-url "$url" --no-serve >/dev/null
WHATMATTERS_DATABASE_URL="$url" target/release/whatmatters bench-list --subscribers "$SUBSCRIBERS" --batch "$BATCH"

echo "== PostgreSQL"
psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS wm_bench_list WITH (FORCE)" -c "CREATE DATABASE wm_bench_list" \
  -c "DROP DATABASE IF EXISTS wm_pgbench WITH (FORCE)" -c "CREATE DATABASE wm_pgbench"
target/release/whatmatters demo --database-url "$PG/wm_bench_list" --no-serve >/dev/null
"$PGBENCH" -q -i -s 10 "$PG/wm_pgbench" >/dev/null 2>&1
echo "pgbench (default TPC-B-like read-write, scale 10, 8 clients, 10 s):"
"$PGBENCH" -c 8 -j 2 -T 10 "$PG/wm_pgbench" 2>/dev/null | grep -E "^tps|latency average"
WHATMATTERS_DATABASE_URL="$PG/wm_bench_list" target/release/whatmatters bench-list --subscribers "$SUBSCRIBERS" --batch "$BATCH"
"$PGBENCH" -c 8 -j 2 -T 10 "$PG/wm_pgbench" 2>/dev/null | grep -E "^tps"
rm -rf "$work"
