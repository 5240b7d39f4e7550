#!/usr/bin/env bash
# The checks after every install, upgrade, back-out and restore (docs/operations.md):
#   scripts/smoke-check.sh BASE_URL DST_ID [EXPECTED_FACTOR_FILE]
# 1. /health/live answers UP; 2. /health/ready answers UP with the schema current;
# 3. VistA's consultFactor call for a known record answers 200 with a `DST ID:` line, and, when a file
#    saved before the change is given, the very same text. Exits non-zero at the first failed check.
set -euo pipefail

base="${1:?usage: smoke-check.sh BASE_URL DST_ID [EXPECTED_FACTOR_FILE]}"
dst_id="${2:?usage: smoke-check.sh BASE_URL DST_ID [EXPECTED_FACTOR_FILE]}"
expected="${3:-}"
base="${base%/}"
curl_opts=(--silent --show-error --max-time 10)

check() { printf '%-34s %s\n' "$1" "$2"; }

live="$(curl "${curl_opts[@]}" --fail "$base/health/live")" || { check "liveness" "FAIL (no answer)"; exit 1; }
[[ "$live" == *'"UP"'* ]] || { check "liveness" "FAIL: $live"; exit 1; }
check "liveness /health/live" "ok"

ready="$(curl "${curl_opts[@]}" "$base/health/ready")" || { check "readiness" "FAIL (no answer)"; exit 1; }
[[ "$ready" == *'"schemaCurrent":true'* ]] || { check "readiness /health/ready" "FAIL: $ready"; exit 1; }
check "readiness /health/ready" "ok: $ready"

factor_file="$(mktemp)"
trap 'rm -f "$factor_file"' EXIT
status="$(curl "${curl_opts[@]}" --output "$factor_file" --write-out '%{http_code}' "$base/vs/v2/consultFactor/$dst_id")"
[ "$status" = "200" ] || { check "VistA consultFactor" "FAIL: HTTP $status"; exit 1; }
grep -q "DST ID:" "$factor_file" || { check "VistA consultFactor" "FAIL: no 'DST ID:' line"; exit 1; }
if [ -n "$expected" ]; then
  cmp -s "$factor_file" "$expected" || { check "VistA consultFactor" "FAIL: differs from $expected"; exit 1; }
  check "VistA consultFactor" "ok: same text as $expected"
else
  check "VistA consultFactor" "ok ($(wc -c <"$factor_file") bytes)"
fi
