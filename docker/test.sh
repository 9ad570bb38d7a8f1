#!/usr/bin/env bash
# Docker tests (run by scripts/test.sh after the cargo tests, and in CI):
#   1. a static redis-server (crt-static, host target) and the image's `prebuilt` stage;
#   2. docker/compose.yaml up under a unique project name and a free port; healthy; non-root;
#      keys written with redis-cli;
#   3. compose down (volume kept) and up again: the keys are read back;
#   4. SIGKILL under appendfsync always while writers run: no acknowledged write is lost;
#   5. protected mode: without a password the host gets DENIED;
#   6. examples/compose-sharded/test.sh (three containers behind twemproxy).
# Everything it creates (containers, network, volumes, images) is removed on exit, pass or fail.
# Prints "SKIPPED" and exits 0 only when no Docker engine is reachable.
# DOCKER_TEST_IMAGE=<image> skips step 1's builds and tests that image instead (for example one
# built from source with `docker build -f docker/Dockerfile -t rustredis .`); it is not removed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# shellcheck source=lib.sh
. docker/lib.sh

if ! command -v docker >/dev/null 2>&1 || ! docker info >/dev/null 2>&1; then
  echo "##################################################################"
  echo "## SKIPPED: docker/test.sh: no Docker engine reachable"
  echo "##################################################################"
  exit 0
fi
compose_cmd || { echo "!! FAIL: Docker is here but neither 'docker compose' nor docker-compose is" >&2; exit 1; }
for tool in redis-cli python3 cargo rustc; do
  command -v "$tool" >/dev/null 2>&1 || { echo "!! FAIL: $tool not found" >&2; exit 1; }
done

t0=$(date +%s)
phase() { echo "==> [$(($(date +%s) - t0))s] $*"; }

project=rrdocker-$$-$RANDOM
image=${DOCKER_TEST_IMAGE:-rustredis-test:$project}
export REDIS_IMAGE=$image REDIS_BUILD_TARGET=prebuilt REDIS_APPENDFSYNC=always
export REDIS_PASSWORD=test-$RANDOM$RANDOM REDIS_PORT
REDIS_PORT=$(free_port)
export REDISCLI_AUTH=$REDIS_PASSWORD # redis-cli and crash_writer.py read it
unset REDIS_CONF REDIS_PUBLISH_ADDR
tmp=$(mktemp -d)
dc() { "${COMPOSE[@]}" -p "$project" -f docker/compose.yaml "$@"; }
writer_pid= extra_cid=
images_before=$tmp/images-before
docker images -aq --no-trunc | sort -u >"$images_before"

cleanup() {
  local rc=$?
  set +e
  [ -n "$writer_pid" ] && kill "$writer_pid" 2>/dev/null
  [ -n "$extra_cid" ] && docker rm -f -v "$extra_cid" >/dev/null 2>&1
  dc down -v --remove-orphans >/dev/null 2>&1
  [ -z "${DOCKER_TEST_IMAGE:-}" ] && docker rmi "$image" >/dev/null 2>&1
  # Untagged images the legacy builder left behind (stage images), none in use.
  docker images -aq --no-trunc | sort -u | comm -13 "$images_before" - | xargs -r docker rmi >/dev/null 2>&1
  rm -rf "$tmp"
  if [ "$rc" = 0 ]; then
    echo "docker/test.sh: PASS in $(($(date +%s) - t0))s"
  else
    echo "docker/test.sh: FAIL (exit $rc) after $(($(date +%s) - t0))s" >&2
  fi
}
trap cleanup EXIT

build_image() {
  phase "static redis-server (release, crt-static)"
  triple=$(rustc -vV | sed -n 's/^host: //p')
  RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static" \
    cargo build --release --locked --target "$triple" -p redis-server
  target_dir=$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
  bin=$target_dir/$triple/release/redis-server
  if command -v readelf >/dev/null 2>&1 && readelf -l "$bin" | grep -q 'program interpreter'; then
    echo "!! FAIL: $bin is dynamically linked" >&2
    exit 1
  fi
  mkdir -p docker/build
  if command -v strip >/dev/null 2>&1; then
    strip -o docker/build/redis-server "$bin"
  else
    cp "$bin" docker/build/redis-server
  fi
  echo "binary: $(stat -c %s docker/build/redis-server) bytes (stripped)"

  phase "image $image (--target prebuilt)"
  # No buildx: the legacy builder (stops at the --target stage, pulls nothing).
  if [ -z "${DOCKER_BUILDKIT:-}" ] && ! docker buildx version >/dev/null 2>&1; then
    export DOCKER_BUILDKIT=0
  fi
  docker build -f docker/Dockerfile --target prebuilt -t "$image" . | tail -n 3
}
if [ -n "${DOCKER_TEST_IMAGE:-}" ]; then
  phase "testing the existing image $image"
else
  build_image
fi
size=$(docker image inspect -f '{{.Size}}' "$image")
echo "image size: $size bytes ($(python3 -c "print(round($size / 1e6, 2))") MB)"
expect_eq "image user" 999:999 "$(docker image inspect -f '{{.Config.User}}' "$image")"
# /data in the image (what a new volume is seeded with) belongs to 999:999. No shell in the
# image: list it through docker cp.
probe=$(docker create "$image")
data_owner=$(docker cp "$probe:/data" - | tar -tv --numeric-owner | awk 'NR == 1 {print $2}')
docker rm -v "$probe" >/dev/null
expect_eq "owner of /data in the image" 999/999 "$data_owner"

phase "compose up (project $project, port $REDIS_PORT, appendfsync always)"
dc up -d --no-build
cid=$(dc ps -q redis)
wait_healthy "$cid" 90
pid=$(docker inspect -f '{{.State.Pid}}' "$cid")
if [ -r "/proc/$pid/status" ]; then
  expect_eq "uid of the server process" "999 999" "$(awk '/^Uid:/ {print $2, $3}' "/proc/$pid/status")"
  expect_eq "gid of the server process" "999 999" "$(awk '/^Gid:/ {print $2, $3}' "/proc/$pid/status")"
else
  expect_eq "uid of the server process" 999 "$(docker top "$cid" -o uid | awk 'NR == 2 {print $1}')"
fi
cli() { redis-cli -p "$REDIS_PORT" "$@"; }
expect_eq "PING with the password" PONG "$(cli ping)"
expect_eq "appendonly" "appendonly yes" "$(cli config get appendonly | paste -sd ' ')"

phase "1,000 keys and a hash written with redis-cli"
seq 1 1000 | awk '{printf "SET key:%d value-%d\n", $1, $1}' | cli >"$tmp/set.out"
expect_eq "OK replies to 1,000 SETs" 1000 "$(grep -cx OK "$tmp/set.out")"
expect_eq "HSET" 3 "$(cli hset profile name ada lang rust year 2024)"
expect_eq "DBSIZE" 1001 "$(cli dbsize)"

phase "compose down (volume kept), up again"
dc down
dc up -d --no-build
cid=$(dc ps -q redis)
wait_healthy "$cid" 90
seq 1 1000 | awk '{printf "GET key:%d\n", $1}' | cli >"$tmp/get.out"
seq 1 1000 | awk '{printf "value-%d\n", $1}' >"$tmp/get.expected"
if ! diff -q "$tmp/get.expected" "$tmp/get.out" >/dev/null; then
  echo "!! FAIL: keys not read back after down/up:" >&2
  diff "$tmp/get.expected" "$tmp/get.out" | head >&2
  exit 1
fi
expect_eq "HGETALL after down/up" "name ada lang rust year 2024" "$(cli hgetall profile | paste -sd ' ')"
expect_eq "DBSIZE after down/up" 1001 "$(cli dbsize)"

phase "SIGKILL while 4 writers run (appendfsync always)"
python3 docker/crash_writer.py write --port "$REDIS_PORT" --out "$tmp/acked.json" &
writer_pid=$!
sleep 3
docker kill -s KILL "$cid" >/dev/null
kill_time=$(date +%s)
# The writers stop on their broken connections; 20 s is a generous bound.
for _ in $(seq 100); do kill -0 "$writer_pid" 2>/dev/null || break; sleep 0.2; done
kill "$writer_pid" 2>/dev/null || true
wait "$writer_pid" || true
writer_pid=
python3 -c 'import json, sys
acked = json.load(open(sys.argv[1]))
if len(acked) != 4 or min(acked.values()) == 0:
    sys.exit("!! FAIL: a writer got no write acknowledged: %r" % acked)' "$tmp/acked.json"
# Docker counts `docker kill` as a manual stop (no automatic restart); up starts it again.
dc up -d --no-build
wait_healthy "$cid" 90
echo "restarted and healthy $(($(date +%s) - kill_time))s after the kill"
python3 docker/crash_writer.py verify --port "$REDIS_PORT" --acked "$tmp/acked.json"
expect_eq "a key from before the restarts" value-777 "$(cli get key:777)"

phase "protected mode: no password, so the host is refused"
denied_port=$(free_port)
extra_cid=$(docker run -d -p "127.0.0.1:$denied_port:6379" "$image")
reply=
for _ in $(seq 50); do
  reply=$(REDISCLI_AUTH='' redis-cli -p "$denied_port" ping 2>&1 || true)
  case $reply in *DENIED* | PONG) break ;; esac
  sleep 0.2
done
case $reply in
  *DENIED*) echo "refused as expected: ${reply:0:80}..." ;;
  *) echo "!! FAIL: expected a DENIED error without a password, got: $reply" >&2; exit 1 ;;
esac
docker rm -f -v "$extra_cid" >/dev/null
extra_cid=

phase "examples/compose-sharded/test.sh"
examples/compose-sharded/test.sh

phase "done; image size $size bytes"
