#!/usr/bin/env bash
# The README's test command: builds the solution in Release (warnings are errors) and runs every test.
# Installs what the tests need on a fresh machine: redis-server (the Redis tests start their own loopback instance).
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/redis.sh

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test LlmRouting.sln -c Release 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One plain summary line across all test assemblies.
passed=$(grep -Eo 'Passed:[[:space:]]+[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -Eo 'Failed:[[:space:]]+[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -Eo 'Skipped:[[:space:]]+[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$status" -ne 0 ]; then
  exit "$status"
fi
if [ "$passed" -eq 0 ]; then
  echo "no test ran" >&2
  exit 1
fi
