#!/usr/bin/env bash
# The test command: format check, build, every test project. Prints a closing "N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

echo "== test tools"
# Debian packages the tests drive, installed when missing: Chromium (the dashboard's browser tests, through
# Playwright with ExecutablePath=/usr/bin/chromium), promtool from the prometheus package (the /metrics page and
# deploy/prometheus/alerts.yml are checked with it), PostgreSQL (the Postgres connector's tests create their own
# cluster with initdb in a temporary directory, on a free loopback port, and delete it) and Redis (the Redis
# connector's tests start redis-server on a free loopback port). Nothing is started here; the
# tests start what they need and stop it.
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v promtool >/dev/null || missing+=(prometheus)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    echo "error: the tests need the Debian packages: ${missing[*]} (install them as root, or run ./test.sh as root)"
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

echo "== format check"
dotnet format Sluice.slnx --verify-no-changes --verbosity quiet

echo "== build"
dotnet build Sluice.slnx -c Release --nologo -v quiet -clp:ErrorsOnly

echo "== tests"
log=$(mktemp)
status=0
# One test assembly at a time: on a 2-core machine parallel assemblies mostly add contention (and timing noise).
dotnet test Sluice.slnx -c Release --no-build --nologo -m:1 2>&1 | tee "$log" || status=$?

# Sum the per-assembly summaries ("Passed!  - Failed: 0, Passed: 12, Skipped: 0, Total: 12, ...").
read -r passed failed skipped < <(grep -E '(Passed|Failed)! +- +Failed:' "$log" |
  sed -E 's/.*Failed: *([0-9]+), Passed: *([0-9]+), Skipped: *([0-9]+).*/\2 \1 \3/' |
  awk '{p+=$1; f+=$2; s+=$3} END {print p+0, f+0, s+0}')
rm -f "$log"
if [ "$skipped" -gt 0 ]; then echo "error: $skipped skipped test(s): a skipped test proves nothing"; status=1; fi
if [ "$passed" -eq 0 ]; then echo "error: no test ran"; status=1; fi
echo "$passed passed, $failed failed"
exit $status
