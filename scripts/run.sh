#!/usr/bin/env bash
# Runs Koe: installs what is missing, builds the app (the field build, and the office build
# under /office/), and starts the ward record on the embedded SQLite database (data/koe.db)
# with a demo ward and demo staff. On the first start the demo staff's passwords are printed
# once. Stop with Ctrl-C.
#
#   KOE_ADDR=0.0.0.0:8080  listen elsewhere (default 127.0.0.1:8080)
#   DATABASE_URL=postgres://…  use PostgreSQL instead of SQLite
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$koe_root"

koe_setup app
koe_build_app
say "cargo build --profile server -p koe-server"
cargo build --profile server -p koe-server --quiet
export KOE_DIST="$koe_root/dist"
exec "$koe_root/target/server/koe-server"
