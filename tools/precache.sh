#!/usr/bin/env bash
# Trunk post_build hook, for both builds (Trunk.toml, office/Trunk.toml): writes into the
# staged sw.js the exact list of files this build emitted and a version from their
# contents, so the service worker precaches exactly them; then writes a brotli and a gzip
# copy next to each text and wasm file (tools/compress.mjs), which the ward record serves
# to browsers that accept them.
set -euo pipefail
dir="${TRUNK_STAGING_DIR:?run by trunk as a post_build hook}"
# The build's folder on the ward record: "/" for the field app, "/office/" for the office's.
base="${TRUNK_PUBLIC_URL:-/}"
case "$base" in */) ;; *) base="$base/" ;; esac
compress="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/compress.mjs"
cd "$dir"
[ -f sw.js ] || { echo "precache: no sw.js in $dir" >&2; exit 1; }
# The home-screen icons (PNG) are not kept: the browser takes them when the app is installed,
# online; the app itself needs none of them offline (the page's icon is koe.svg).
files=$(find . -type f ! -name sw.js ! -name '.*' ! -name '*.br' ! -name '*.gz' ! -path './icons/*.png' |
  sed 's|^\./||' | LC_ALL=C sort)
# The template counts too: a change to the worker alone is a new version.
version=$(printf '%s\n' $files sw.js | xargs sha256sum | sha256sum | cut -c1-16)
# index.html is cached as the folder's address, the one the browser navigated to (so it
# is not downloaded a second time under its own name).
list=$(printf '%s\n' $files | sed "s|^index\.html\$||; s|^|$base|; s/.*/  \"&\",/")
{
  printf 'const VERSION = "%s";\n' "$version"
  printf 'const PRECACHE = [\n%s\n];\n' "$list"
  # Everything of the template but its two placeholder lines.
  grep -v -e '^const VERSION = ' -e '^const PRECACHE = ' sw.js
} > sw.js.new
mv sw.js.new sw.js
echo "precache: $(printf '%s\n' $files | wc -l) files under $base, version $version"
node "$compress" .
