#!/usr/bin/env bash
# Packs LlmRouting and LlmRouting.Testing into a local folder feed, creates a console app outside the solution,
# adds the packages from that feed, and runs the README's example program in it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
cleanup() {
  # Leave the work folder before deleting it: dotnet cannot start in a deleted current directory.
  cd "$root"
  rm -rf "$work"
  # Drop this run's packages from the global cache so smoke versions don't pile up.
  cache=$(dotnet nuget locals global-packages --list 2>/dev/null | sed -n 's/^global-packages: //p' || true)
  if [ -n "${cache:-}" ] && [ -n "${version:-}" ]; then
    rm -rf "$cache/llmrouting/$version" "$cache/llmrouting.testing/$version"
  fi
}
trap cleanup EXIT
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# A unique prerelease version, so the NuGet cache can never serve a package packed earlier.
base=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$root/Directory.Build.props" | head -1)
version="$base-smoke.$(date +%s)"
dotnet pack "$root/src/LlmRouting" -c Release -o "$work/feed" -nologo -v q -p:Version="$version"
dotnet pack "$root/src/LlmRouting.Testing" -c Release -o "$work/feed" -nologo -v q -p:Version="$version"
ls "$work/feed"

mkdir -p "$work/app"
cd "$work/app"
dotnet new console --framework net10.0 >/dev/null
# The machine's configured sources stay; only the local folder feed is added.
cat > nuget.config <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="local-feed" value="$work/feed" />
  </packageSources>
</configuration>
XML
dotnet add package LlmRouting --version "$version" >/dev/null
dotnet add package LlmRouting.Testing --version "$version" >/dev/null
dotnet add package Microsoft.Extensions.DependencyInjection --version 10.0.13 >/dev/null

# The README's example, verbatim: the csharp block after the example:program marker.
awk '/<!-- example:program -->/{found=1; next} found && /^```csharp/{inblock=1; next} inblock && /^```/{exit} inblock{print}' "$root/README.md" > Program.cs
test -s Program.cs
env -u OPENAI_API_KEY dotnet run -c Release | tee output.txt
grep -q "offline (gpt-4o-mini)" output.txt
grep -q "EMAIL_ADDRESS×1" output.txt
echo "pack-smoke: the README example ran from the local feed"
