#!/usr/bin/env bash
# Property-based fuzzing of the JSON API with schemathesis (from PyPI), as an administrator and
# as a link worker: every phase (examples, coverage, fuzzing, stateful), checking that no
# response is a 5xx and that every status, content type and body is the one the OpenAPI
# document declares. Exits non-zero on any failure.
#
#   scripts/fuzz-api.sh BASE_URL DATABASE_URL [MAX_EXAMPLES]
#
# BASE_URL is a running whatmatters seeded with the demo region (`whatmatters demo`), and
# DATABASE_URL its database, where the tokens for the run are issued.
set -euo pipefail
cd "$(dirname "$0")/.."
base="${1:?BASE_URL}"
database="${2:?DATABASE_URL}"
examples="${3:-100}"
bin="${WHATMATTERS_BIN:-target/debug/whatmatters}"
venv="${SCHEMATHESIS_VENV:-target/schemathesis}"

if [ ! -x "$venv/bin/schemathesis" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'schemathesis>=4.3,<5'
fi
"$venv/bin/schemathesis" --version

status=0
total_cases=0
for who in admin link.worker; do
  token="$(WHATMATTERS_DATABASE_URL="$database" "$bin" user token \
    --email "$who@demo.whatmatters.test" --name "API fuzzing" --days 1)"
  for ids in any pinned; do
    config=()
    [ "$ids" = pinned ] && config=(--config-file scripts/schemathesis.toml)
    out="$(mktemp)"
    echo "== schemathesis as $who, record ids: $ids"
    for seed in 20261122 20261123; do
      if "$venv/bin/schemathesis" --no-color "${config[@]}" run "$base/api/openapi.json" \
        --header "Authorization: Bearer $token" \
        --phases examples,coverage,fuzzing,stateful \
        --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
        --max-examples "$examples" --workers 2 --request-timeout 30 \
        --seed "$seed" >"$out" 2>&1; then
        sed -n '/SUMMARY/,$p' "$out"
        break
      fi
      others="$(sed -n '/^Errors:/,/^$/p' "$out" | grep -Ev '^Errors:|^$|Runtime Error' || true)"
      if grep -Eq '[0-9]+ failures?[ ,]' "$out" || ! grep -q '^Errors:' "$out" || [ -n "$others" ]; then
        # A check failed (a 5xx, a response the document does not describe), or the API could
        # not be reached (a network error, as when the server falls over).
        status=1
        cat "$out"
        break
      fi
      # No check failed: the tool itself hit an error while generating cases (a Runtime
      # Error in its own code). Show it, and try once more with another seed.
      sed -n '/SUMMARY/,$p' "$out"
      echo "(schemathesis reported an error of its own, not a failed check; seed $seed)"
    done
    cases="$(grep -Eo '[0-9]+ generated' "$out" | grep -Eo '[0-9]+' | tail -1 || echo 0)"
    total_cases=$((total_cases + ${cases:-0}))
    rm -f "$out"
  done
done
echo "API fuzzing: $total_cases cases generated over 4 runs; $([ $status = 0 ] && echo 'no failures' || echo 'FAILURES above')"
exit $status
