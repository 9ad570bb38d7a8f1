#!/usr/bin/env bash
# Compare our redis-server with a real redis-server using redis-benchmark.
#
#   bench/compare.sh [--no-build] [compare.py options...]
#
#   bench/compare.sh                      # quick preset (~2-3 min): 5 tests, appendonly no/everysec,
#                                         # -P 1 and 16, pinned, 3 rounds
#   bench/compare.sh --preset full        # + appendfsync always, unpinned, 5 rounds, more requests
#   bench/compare.sh --tests set,get --aof no --modes unpinned --rounds 5 --requests 100000
#   OURS=/usr/bin/redis-server bench/compare.sh   # real vs real: validates the plumbing
#
# Builds `cargo build --release -p redis-server` unless --no-build or OURS is set. Servers listen
# on free loopback ports (never 6379) in fresh temporary directories and are always stopped.
# Hard cap on the whole run: BENCH_TIMEOUT seconds (default 7200).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"

build=1
args=()
for a in "$@"; do
  case "$a" in
    --no-build) build=0 ;;
    -h|--help) sed -n '2,14p' "$0"; python3 "$here/compare.py" --help; exit 0 ;;
    *) args+=("$a") ;;
  esac
done

for tool in redis-server redis-benchmark taskset python3; do
  command -v "$tool" >/dev/null || { echo "compare.sh: $tool is required" >&2; exit 2; }
done

if [[ -z "${OURS:-}" ]]; then
  target="${CARGO_TARGET_DIR:-$root/target}"
  if [[ $build == 1 ]]; then
    echo "building: cargo build --release -p redis-server (fat LTO: takes minutes)" >&2
    (cd "$root" && cargo build --release -p redis-server >&2)
  fi
  OURS="$target/release/redis-server"
fi
[[ -x "$OURS" ]] || { echo "compare.sh: no binary at $OURS (build it or set OURS)" >&2; exit 2; }
export OURS

exec timeout --signal=TERM --kill-after=30 "${BENCH_TIMEOUT:-7200}" \
  python3 "$here/compare.py" --ours "$OURS" "${args[@]}"
