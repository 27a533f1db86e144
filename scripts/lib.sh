# Shared by scripts/run-demo and scripts/test-all: find the repo, install what is missing.
# Every step checks first, so a machine that has everything spends seconds here.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
export PATH="$HOME/.cargo/bin:$ROOT/end2end/node_modules/.bin:$PATH"

CARGO_LEPTOS_VERSION=0.3.10
WASM_BINDGEN_VERSION=0.2.130   # must equal the wasm-bindgen pin in Cargo.toml

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "need root to run: $*" >&2; return 1; fi
}

apt_install() {
  say "installing $* (apt)"
  if [ -z "${TB_APT_UPDATED:-}" ]; then as_root apt-get update -qq; TB_APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

ensure_rust() {
  command -v cargo >/dev/null || { echo "Rust (rustup, cargo) is required: https://rustup.rs" >&2; exit 1; }
  if ! rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  for component in clippy rustfmt; do
    if ! rustup component list --installed 2>/dev/null | grep -q "^$component"; then
      say "adding the $component component"
      rustup component add "$component"
    fi
  done
  if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
    say "installing cargo-leptos $CARGO_LEPTOS_VERSION (10 to 15 minutes on 2 cores, once)"
    cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
  fi
  if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
    say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
    # Not --locked: its lock file pins a yanked crate.
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
  fi
}

ensure_node_packages() {
  command -v npm >/dev/null || apt_install nodejs npm
  if [ ! -x "$ROOT/end2end/node_modules/.bin/wasm-opt" ] || [ ! -d "$ROOT/end2end/node_modules/@playwright/test" ] \
     || [ "$ROOT/end2end/package-lock.json" -nt "$ROOT/end2end/node_modules/.package-lock.json" ]; then
    say "installing node packages (playwright, axe-core, binaryen's wasm-opt)"
    (cd "$ROOT/end2end" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

ensure_chromium() {
  export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
  [ -x "$CHROMIUM_PATH" ] || apt_install chromium
}

# Builds the release site (server binary + hydrating wasm) into target/site.
build_release() {
  say "building the release site (cold: about 12 minutes on 2 cores)"
  # --precompress writes a brotli and a gzip copy of each bundle file, served as they are.
  (cd "$ROOT" && cargo leptos build --release --precompress)
}

# Environment for running the built server from the repo root.
server_env() {
  export LEPTOS_OUTPUT_NAME=tumorboard
  export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-$ROOT/target/site}"
  export LEPTOS_SITE_PKG_DIR=pkg
  export LEPTOS_ENV=PROD
}

# Starts the release server (or BIN, another build of it) on 127.0.0.1:PORT with its log in
# LOGFILE and waits until it accepts connections; sets SERVER_PID (the caller stops it).
# PORT_VAR names the variable that chooses another port, for the message when PORT is taken.
#   serve_on PORT LOGFILE PORT_VAR [BIN]
SERVER_PID=""
serve_on() {
  local port="$1" log="$2" port_var="$3" bin="${4:-$CARGO_TARGET_DIR/release/tumorboard}"
  # A program already on the port would answer the tests in our server's place.
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port $port is already in use: stop that program or set $port_var" >&2; exit 1
  fi
  LEPTOS_SITE_ADDR="127.0.0.1:$port" "$bin" serve >"$log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "the server did not start:" >&2; cat "$log" >&2; exit 1; }
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.2
  done
}

# Sets BIN to the release server to measure (TB_BIN=path: another build of it, e.g. an older
# commit's), or stops saying how to build it.
release_bin() {
  BIN="${TB_BIN:-$CARGO_TARGET_DIR/release/tumorboard}"
  [ -x "$BIN" ] || { echo "no release build at $BIN: run ./scripts/run-demo or cargo leptos build --release --precompress" >&2; exit 1; }
}

# Logs in as the demo board's coordinator (or USER) at BASE (after serve_demo) and sets COOKIE (the
# session cookie, name=value) and CASE (the id of the first case in the list).
#   demo_session BASE [USER]
demo_session() {
  COOKIE=$(curl -s -i -H 'content-type: application/json' \
    -d "{\"username\":\"${2:-coordinator}\",\"password\":\"$TUMORBOARD_DEMO_PASSWORD\"}" "$1/api/v1/login" \
    | tr -d '\r' | awk -F': ' 'tolower($1)=="set-cookie"{split($2,a,";"); print a[1]; exit}')
  CASE=$(curl -s -H "cookie: $COOKIE" "$1/api/v1/cases" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
}

# Loads the demo board into the database DATABASE_URL names (the caller sets it; a fresh one)
# with a password for this run only, exported as TUMORBOARD_DEMO_PASSWORD, and serves it as
# serve_on does, its log in $WORK/server.log. Used by test-all's browser flows and the benches.
#   serve_demo PORT PORT_VAR [BIN]
serve_demo() {
  local bin="${3:-$CARGO_TARGET_DIR/release/tumorboard}"
  export TUMORBOARD_DEMO_PASSWORD="run-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
  "$bin" demo >/dev/null
  serve_on "$1" "$WORK/server.log" "$2" "$bin"
}

# A throwaway PostgreSQL cluster for the tests, in a temp dir on its own port; sets
# TEST_DATABASE_URL. Installs PostgreSQL when missing. Call stop_postgres to remove it.
PG_DIR=""
start_postgres() {
  PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
    apt_install postgresql
    PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  fi
  PG_DIR="$(mktemp -d /tmp/tumorboard-pg.XXXXXX)"
  local port="${TB_PG_PORT:-}"
  if [ -z "$port" ]; then
    # The first free port from 55432 on (a cluster left running elsewhere must not matter).
    port=55432
    while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  fi
  # initdb refuses to run as root: the cluster belongs to the postgres user.
  if [ "$(id -u)" = 0 ]; then
    chown postgres: "$PG_DIR"
    PG_RUN=(runuser -u postgres --)
  else
    PG_RUN=()
  fi
  "${PG_RUN[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U postgres -E UTF8 >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log" >&2; return 1; }
  PG_OPTS="-p $port -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=300"
  "${PG_RUN[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -o "$PG_OPTS" start >/dev/null \
    || { cat "$PG_DIR/server.log" >&2; return 1; }
  export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
}

# Restarts the cluster of start_postgres with its options, as a minor-version update or a
# failover does (`pg_ctl -m fast`: its sessions are ended); returns once it accepts connections.
restart_postgres() {
  "${PG_RUN[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -m fast -o "$PG_OPTS" restart >/dev/null
}

stop_postgres() {
  if [ -n "$PG_DIR" ] && [ -d "$PG_DIR/data" ]; then
    "${PG_RUN[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
}

# A throwaway S3 server for the object-store tests (issue 20): moto's server from PyPI (pinned,
# in its own venv under ~/.cache), on loopback, with one bucket; exports TEST_BLOB_URL and the
# AWS_* variables the object_store crate reads. Call stop_s3 to end it.
S3_PID=""
start_s3() {
  local venv="${TB_S3_VENV:-$HOME/.cache/tumorboard-s3-venv}"
  if ! "$venv/bin/python" -c "import moto.server" >/dev/null 2>&1; then
    say "installing moto's S3 server (pinned) into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "moto[server]==5.1.22"
  fi
  local port="${TB_S3_PORT:-5055}"
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  "$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"${TMPDIR:-/tmp}/tumorboard-moto.log" 2>&1 &
  S3_PID=$!
  # Wait for it, then CreateBucket (moto takes any credentials); python3, not curl, which a
  # fresh machine may lack.
  "$venv/bin/python" - "$port" <<'PY' || { cat "${TMPDIR:-/tmp}/tumorboard-moto.log" >&2; return 1; }
import sys, time, urllib.request
base = f"http://127.0.0.1:{sys.argv[1]}"
for _ in range(200):
    try:
        urllib.request.urlopen(base + "/", timeout=1)
        break
    except Exception:
        time.sleep(0.1)
urllib.request.urlopen(urllib.request.Request(base + "/tumorboard-test", method="PUT"), timeout=5)
PY
  export AWS_ENDPOINT="http://127.0.0.1:$port" AWS_ALLOW_HTTP=true AWS_ACCESS_KEY_ID=test \
    AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 TEST_BLOB_URL="s3://tumorboard-test/tests"
}

stop_s3() {
  [ -n "$S3_PID" ] && kill "$S3_PID" 2>/dev/null && wait "$S3_PID" 2>/dev/null
  S3_PID=""
  unset AWS_ENDPOINT AWS_ALLOW_HTTP AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION TEST_BLOB_URL
}
