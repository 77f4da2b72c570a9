#!/usr/bin/env bash
# Trunk post_build hook: writes into the staged sw.js the exact list of files this build
# emitted and a version from their contents, so the service worker precaches exactly them.
set -euo pipefail
dir="${TRUNK_STAGING_DIR:?run by trunk as a post_build hook}"
cd "$dir"
[ -f sw.js ] || { echo "precache: no sw.js in $dir" >&2; exit 1; }
files=$(find . -type f ! -name sw.js ! -name '.*' | sed 's|^\./|/|' | LC_ALL=C sort)
version=$(printf '%s\n' $files | sed 's|^/||' | xargs sha256sum | sha256sum | cut -c1-16)
list=$(printf '%s\n' $files | sed 's/.*/  "&",/')
{
  printf 'const VERSION = "%s";\n' "$version"
  printf 'const PRECACHE = [\n%s\n];\n' "$list"
  # Everything of the template but its two placeholder lines.
  grep -v -e '^const VERSION = ' -e '^const PRECACHE = ' sw.js
} > sw.js.new
mv sw.js.new sw.js
echo "precache: $(printf '%s\n' $files | wc -l) files, version $version"
