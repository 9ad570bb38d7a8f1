#!/usr/bin/env bash
# The whole test suite, set-up included: the README's test command and what CI runs.
# Installs what the tests need when it is missing (Debian redis-server/redis-tools for the
# differential tests, redis-py for the client tests), then runs every test of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
command -v redis-cli >/dev/null 2>&1 || need_apt+=(redis-tools)
command -v nutcracker >/dev/null 2>&1 || need_apt+=(nutcracker)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> installing ${need_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    echo "!! cannot install ${need_apt[*]} (not root or no apt-get): differential tests will be SKIPPED" >&2
  fi
fi
# The Debian package starts a system redis on 6379; the tests start their own on free ports.
if command -v service >/dev/null 2>&1; then service redis-server stop >/dev/null 2>&1 || true; fi
pkill -x redis-server >/dev/null 2>&1 || true

if ! python3 -c 'import redis' >/dev/null 2>&1; then
  echo "==> installing redis-py"
  python3 -m pip install -q 'redis>=5' || echo "!! redis-py not installed: client tests will be SKIPPED" >&2
fi

echo "==> cargo test --workspace"
cargo test --workspace --locked

if [ -x docker/test.sh ]; then
  echo "==> docker/test.sh"
  docker/test.sh
fi
