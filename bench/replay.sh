#!/usr/bin/env bash
# AOF replay time, ours vs Redis: see bench/replay.py --help.
#   OURS=target/release/redis-server bench/replay.sh [--keys N] [--rounds R]
# Without OURS, uses $CARGO_TARGET_DIR (or ./target)/release/redis-server (build it first, or
# run bench/compare.sh which builds it). Hard cap: BENCH_TIMEOUT seconds (default 900).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
OURS="${OURS:-${CARGO_TARGET_DIR:-$root/target}/release/redis-server}"
[[ -x "$OURS" ]] || { echo "replay.sh: no binary at $OURS (build it or set OURS)" >&2; exit 2; }
exec timeout --signal=TERM --kill-after=30 "${BENCH_TIMEOUT:-900}" \
  python3 "$here/replay.py" --ours "$OURS" "$@"
