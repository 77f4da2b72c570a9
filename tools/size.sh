#!/usr/bin/env bash
# Prints the size of the built app's two builds (dist/: the field build; dist/office/: the
# office build): each wasm, js and css file raw and brotli-compressed (the .br copy the
# build wrote, which the ward record serves to browsers that accept it), and every file
# the build's service worker keeps (what a first visit downloads, without HTTP headers;
# brotli where the build wrote a copy; tools/precache.sh leaves out the PNG icons).
set -euo pipefail
dist="${1:-$(dirname "$0")/../dist}"

# The brotli size of a file: its .br copy, else brotli -q 11 (or Node's zlib).
br_size() {
  if [ -f "$1.br" ]; then
    stat -c %s "$1.br"
  elif command -v brotli >/dev/null; then
    brotli -c -q 11 "$1" | wc -c
  else
    node -e 'const z=require("zlib");const d=require("fs").readFileSync(process.argv[1]);
      console.log(z.brotliCompressSync(d,{params:{[z.constants.BROTLI_PARAM_QUALITY]:11}}).length)' "$1"
  fi
}

report() {
  local name="$1" dir="$2"
  [ -f "$dir/index.html" ] || { echo "size: no $name build in $dir" >&2; return 1; }
  printf '\n%s (%s)\n' "$name" "$dir"
  printf '%-44s %10s %10s\n' file raw brotli
  local total_raw=0 total_br=0 f raw br
  for f in "$dir"/*.wasm "$dir"/*.js "$dir"/*.css; do
    [ -f "$f" ] || continue
    raw=$(stat -c %s "$f")
    br=$(br_size "$f")
    total_raw=$((total_raw + raw)) total_br=$((total_br + br))
    printf '%-44s %10d %10d\n' "$(basename "$f")" "$raw" "$br"
  done
  printf '%-44s %10d %10d\n' "total" "$total_raw" "$total_br"
  # Every file of the build (not the other build's folder) its worker precaches.
  local all_raw=0 all_wire=0 n=0
  while IFS= read -r f; do
    raw=$(stat -c %s "$f")
    if [ -f "$f.br" ]; then br=$(stat -c %s "$f.br"); else br=$raw; fi
    all_raw=$((all_raw + raw)) all_wire=$((all_wire + br)) n=$((n + 1))
  done < <(find "$dir" -path "$dir/office" -prune -o -type f ! -name '*.br' ! -name '*.gz' ! -name '.*' ! -path "$dir/icons/*.png" -print)
  printf '%-44s %10d %10d\n' "a first visit ($n files, as served)" "$all_raw" "$all_wire"
}

report "field build" "$dist"
report "office build" "$dist/office"
