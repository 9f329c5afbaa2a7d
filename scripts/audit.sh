#!/usr/bin/env bash
# `make audit`: bandit over the package (fails on any finding), then pip-audit over the
# installed dependencies. pip-audit needs the package index's vulnerability data: where
# it cannot reach it, this says so plainly and does not fail (nothing could be checked);
# a known vulnerability fails.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}

"$BIN/bandit" -q -r assessment -x assessment/migrations || exit 1

report=$(mktemp)
trap 'rm -f "$report"' EXIT
"$BIN/pip-audit" --progress-spinner off --local --skip-editable >"$report" 2>&1
status=$?
unaudited=$(grep -c "could not be audited" "$report" || true)
total=$("$BIN/python" -m pip list --local --format freeze 2>/dev/null | grep -vc "^crm-maturity" || true)
if [ "$status" -ne 0 ] && grep -q "Found [0-9]* known vulnerabilit" "$report"; then
  cat "$report"
  exit 1
elif [ "$status" -ne 0 ] || [ "$unaudited" -ge "$total" ]; then
  echo "pip-audit: the vulnerability data could not be reached; no dependency was audited."
  grep -m 3 -iE "error|could not" "$report" || true
  exit 0
fi
cat "$report"
