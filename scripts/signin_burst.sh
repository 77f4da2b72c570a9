#!/usr/bin/env bash
# Peak memory of the ward record under a burst of sign-ins. For each burst it starts the
# built binary afresh on a new SQLite database, fires 100 sign-ins at once with curl, and
# prints VmHWM (peak RSS) and VmRSS from /proc/<pid>/status, and the answers' statuses.
#   known:   right passwords of the 8 demo staff (12–13 at once for each id)
#   unknown: 100 staff ids that do not exist
# Each request names its own X-Forwarded-For (KOE_TRUST_FORWARDED=1), so the per-address
# limit does not stop the burst before its passwords are checked.
#
#   scripts/signin_burst.sh [path/to/koe-server] [burst…]   (default target/debug/koe-server known unknown)
set -euo pipefail
bin=${1:-target/debug/koe-server}
shift || true
bursts=${*:-known unknown}
staff=(road01 park01 welfare01 welfare02 clerk01 head01 parkhead01 admin01)
known() { echo "${staff[$(($1 % ${#staff[@]}))]}"; }
unknown() { echo "nobody$1"; }

for kind in $bursts; do
  data=$(mktemp -d)
  port=$((20000 + RANDOM % 20000))
  KOE_DATA=$data KOE_DIST=$data/no-dist KOE_ADDR=127.0.0.1:$port KOE_DEMO_PASSWORD=burst-pass-1 \
    KOE_TRUST_FORWARDED=1 RUST_LOG=error "$bin" >"$data/log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do
    curl -s -o /dev/null "http://127.0.0.1:$port/api/openapi.json" && break
    sleep 0.2
  done
  mem() { grep -E '^(VmHWM|VmRSS)' /proc/$pid/status | tr -s ' \t' ' ' | tr '\n' ' '; }
  started=$(mem)
  password=guess
  [ "$kind" = known ] && password=burst-pass-1
  start=$(date +%s.%N)
  curls=()
  for i in $(seq 0 99); do
    curl -s -o /dev/null -w '%{http_code}\n' -X POST "http://127.0.0.1:$port/api/session" \
      -H 'content-type: application/json' -H "x-forwarded-for: 10.1.0.$((i + 1))" \
      -d "{\"staff_id\":\"$($kind "$i")\",\"password\":\"$password\"}" >>"$data/codes" &
    curls+=($!)
  done
  wait "${curls[@]}"
  took=$(echo "$(date +%s.%N) - $start" | bc)
  codes=$(sort "$data/codes" | uniq -c | awk '{printf "%s×%s ", $1, $2}')
  echo "$kind: started $started| after 100 at once (${took}s; ${codes}): $(mem)"
  kill $pid; wait $pid 2>/dev/null || true
  rm -rf "$data"
done
