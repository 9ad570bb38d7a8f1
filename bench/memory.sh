#!/usr/bin/env bash
# Memory per key, ours vs Redis: see bench/memory.py --help.
#   OURS=target/release/redis-server bench/memory.sh [--strings N] [--hashes M]
# Without OURS, uses $CARGO_TARGET_DIR (or ./target)/release/redis-server (build it first, or
# run bench/compare.sh which builds it). Hard cap: BENCH_TIMEOUT seconds (default 900).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
OURS="${OURS:-${CARGO_TARGET_DIR:-$root/target}/release/redis-server}"
[[ -x "$OURS" ]] || { echo "memory.sh: no binary at $OURS (build it or set OURS)" >&2; exit 2; }
exec timeout --signal=TERM --kill-after=30 "${BENCH_TIMEOUT:-900}" \
  python3 "$here/memory.py" --ours "$OURS" "$@"
