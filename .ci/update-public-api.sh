#!/usr/bin/env bash
# Regenerates PublicAPI.Unshipped.txt of each shipped library from the analyzer's RS0016/RS0017 findings,
# so an API change shows up as a diff of those files. Run after changing public API; review the diff.
set -euo pipefail
cd "$(dirname "$0")/.."
for proj in src/LlmRouting src/LlmRouting.Testing src/LlmRouting.Redis; do
  [ -d "$proj" ] || continue
  log=$(mktemp)
  dotnet build "$proj" -c Debug --no-incremental -p:TreatWarningsAsErrors=false -nologo -clp:NoSummary >"$log" 2>&1 || true
  unshipped="$proj/PublicAPI.Unshipped.txt"
  python3 - "$log" "$unshipped" "$proj" <<'PY'
import re, sys
log, unshipped, proj = sys.argv[1:4]
add, remove = set(), set()
for line in open(log, encoding='utf-8', errors='replace'):
    if proj.split('/')[-1] + '.csproj' not in line:
        continue
    m = re.search(r"RS0016: Symbol '(.+?)' is not part of the declared public API", line)
    if m: add.add(m.group(1))
    m = re.search(r"RS0017: Symbol '(.+?)' is part of the declared API, but is either not public or could not be found", line)
    if m: remove.add(m.group(1))
lines = [l.rstrip('\n') for l in open(unshipped, encoding='utf-8')]
body = [l for l in lines[1:] if l.strip() and l not in remove]
body = sorted(set(body) | add, key=lambda s: s.lstrip('~*'))
open(unshipped, 'w', encoding='utf-8').write('#nullable enable\n' + ''.join(l + '\n' for l in body))
print(f"{unshipped}: +{len(add)} -{len(remove)}")
PY
  rm -f "$log"
done
