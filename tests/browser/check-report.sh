#!/usr/bin/env bash
# The browser test under ctest: the fixture's HTML report as the real binary makes it, written to
# report.html in the working directory, then checked in headless Chromium by check_report.js.
#   check-report.sh TRACEBENCH RESULTS.json [check_report.js options...]
# What is missing to run it is a failure with one line saying what to install, never a skip.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
tracebench="$1" results="$2"
shift 2
missing() {
  echo "browser test: $*" >&2
  exit 1
}
command -v node >/dev/null || missing "node is missing: apt-get install nodejs (scripts/test does)"
[ -x "${TRACEBENCH_CHROMIUM:-/usr/bin/chromium}" ] ||
  missing "${TRACEBENCH_CHROMIUM:-/usr/bin/chromium} is missing: apt-get install chromium (scripts/test does)"
[ -d "$here/node_modules/playwright-core" ] ||
  missing "playwright-core is missing: npm ci --prefix tests/browser (scripts/test does)"
[ -f "$results" ] || missing "$results: no such fixture"
"$tracebench" report "$results" --format html >report.html 2>report.err ||
  missing "tracebench report failed: $(head -n 1 report.err)"
exec node "$here/check_report.js" report.html "$@"
