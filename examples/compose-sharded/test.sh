#!/usr/bin/env bash
# Sharding test: three rustredis containers from compose.yaml, twemproxy (nutcracker) on the host
# in front of their published ports, 10,000 keys written through the proxy; each must be on
# exactly one shard and read back through the proxy. Needs the image REDIS_IMAGE (docker/test.sh
# builds it and runs this script), nutcracker, redis-cli and python3. Cleans up after itself.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../../docker/lib.sh
. "$here/../../docker/lib.sh"

: "${REDIS_IMAGE:?set REDIS_IMAGE to a rustredis image (docker/test.sh builds one)}"
export REDIS_IMAGE
unset REDISCLI_AUTH # the shards have no password (see compose.yaml)
compose_cmd || { echo "!! neither 'docker compose' nor docker-compose found" >&2; exit 1; }
nutcracker=$(command -v nutcracker || echo /usr/sbin/nutcracker)
[ -x "$nutcracker" ] || { echo "!! nutcracker (twemproxy) not installed" >&2; exit 1; }

project=rrshard-$$-$RANDOM
export SHARD1_PORT SHARD2_PORT SHARD3_PORT
SHARD1_PORT=$(free_port) SHARD2_PORT=$(free_port) SHARD3_PORT=$(free_port)
proxy_port=$(free_port) stats_port=$(free_port)
tmp=$(mktemp -d)
dc() { "${COMPOSE[@]}" -p "$project" -f "$here/compose.yaml" -f "$here/compose.host-proxy.yaml" "$@"; }
nc_pid=
cleanup() {
  [ -n "$nc_pid" ] && kill "$nc_pid" 2>/dev/null || true
  dc down -v --remove-orphans >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

echo "--> shards up (project $project; ports $SHARD1_PORT $SHARD2_PORT $SHARD3_PORT)"
dc up -d --no-build shard1 shard2 shard3
for s in shard1 shard2 shard3; do wait_healthy "$(dc ps -q "$s")" 90; done

# The same pool as nutcracker.yml, against the published ports; same server names, same ketama ring.
cat >"$tmp/nutcracker.yml" <<YML
sharded:
  listen: 127.0.0.1:$proxy_port
  redis: true
  hash: fnv1a_64
  distribution: ketama
  auto_eject_hosts: false
  timeout: 2000
  server_connections: 1
  servers:
    - 127.0.0.1:$SHARD1_PORT:1 shard1
    - 127.0.0.1:$SHARD2_PORT:1 shard2
    - 127.0.0.1:$SHARD3_PORT:1 shard3
YML
"$nutcracker" -t -c "$tmp/nutcracker.yml" >/dev/null
"$nutcracker" -c "$tmp/nutcracker.yml" -s "$stats_port" -a 127.0.0.1 -o "$tmp/nutcracker.log" \
  -p "$tmp/nutcracker.pid" &
nc_pid=$!
wait_port "$proxy_port" 20

echo "--> redis-cli through the proxy (port $proxy_port)"
expect_eq "SET through the proxy" OK "$(redis-cli -p "$proxy_port" set greeting hello)"
expect_eq "GET through the proxy" hello "$(redis-cli -p "$proxy_port" get greeting)"
expect_eq "DEL through the proxy" 1 "$(redis-cli -p "$proxy_port" del greeting)"

echo "--> 10,000 keys through the proxy"
python3 "$here/check_sharding.py" --proxy "$proxy_port" \
  --shards "$SHARD1_PORT,$SHARD2_PORT,$SHARD3_PORT" --keys 10000
echo "sharded example: PASS"
