#!/usr/bin/env bash
# Prints the size of the built field app (dist/): each wasm, js and css file raw and
# brotli-compressed (what a phone downloads from a server that serves brotli).
set -euo pipefail
dist="${1:-$(dirname "$0")/../dist}"
command -v brotli >/dev/null || { echo "size: needs brotli (apt-get install brotli)" >&2; exit 1; }
printf '%-44s %10s %10s\n' file raw brotli
total_raw=0 total_br=0
for f in "$dist"/*.wasm "$dist"/*.js "$dist"/*.css; do
  [ -f "$f" ] || continue
  raw=$(stat -c %s "$f")
  br=$(brotli -c -q 11 "$f" | wc -c)
  total_raw=$((total_raw + raw)) total_br=$((total_br + br))
  printf '%-44s %10d %10d\n' "$(basename "$f")" "$raw" "$br"
done
printf '%-44s %10d %10d\n' total "$total_raw" "$total_br"
