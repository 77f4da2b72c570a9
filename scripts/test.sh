#!/usr/bin/env bash
# Runs every Koe test: formatting and lints, core and ward record tests (SQLite and
# PostgreSQL), the app's browser tests in headless Chromium, and the end-to-end tests
# that drive the built app against the real ward record. Installs what is missing.
#
#   KOE_TEST_PG_URL=postgres://…  the PostgreSQL the storage tests use
#                                 (default postgres://postgres@127.0.0.1:5432/test)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$koe_root"
started=$(date +%s)

koe_setup test

# The storage tests run on PostgreSQL too; start the local cluster if it is down.
if command -v pg_isready >/dev/null && ! pg_isready -q -h 127.0.0.1 -p 5432; then
  say "starting the local PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
fi

say "cargo fmt --check"
cargo fmt --all --check

say "cargo clippy (native and wasm32)"
cargo clippy -p koe-core -p koe-server -p koe-sim -p koe-faults --all-targets --quiet -- -D warnings
cargo clippy -p koe-app --target wasm32-unknown-unknown --all-targets --quiet -- -D warnings
cargo clippy -p koe-app --target wasm32-unknown-unknown --all-targets --features office --quiet -- -D warnings
cargo clippy -p koe-core --target wasm32-unknown-unknown --quiet -- -D warnings

say "cargo test: koe-core, the ward record, and the sync simulations (SQLite and PostgreSQL)"
# The fault-injection crate's own tests drive the real binary.
cargo build -p koe-server --quiet
cargo test -p koe-core -p koe-server -p koe-faults
# The simulations print their figures (seeds, mutations, faults, lost, doubled).
cargo test -p koe-sim -- --nocapture

say "fault injection (short form): the real ward record killed with SIGKILL behind a cutting proxy"
# PostgreSQL with two ward record processes on the one database. The long form, by hand:
# target/debug/faults --kills 100 --instances 2 (see docs/faults.md).
cargo run -p koe-faults --bin faults --quiet -- --kills 8 --instances 2

say "wasm-bindgen tests in headless Chromium"
# With feature office, so the tests of the office's screens run too (the office build has
# every screen).
CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}" cargo test -p koe-app --target wasm32-unknown-unknown --features office

koe_build_app
cargo build -p koe-server --quiet

say "end-to-end tests: the built app against the real ward record"
(cd tests/e2e && KOE_SERVER_BIN="$koe_root/target/debug/koe-server" npm test --silent)

say "all tests passed in $(($(date +%s) - started)) s"
