# Shell helpers for docker/test.sh and examples/compose-sharded/test.sh (sourced, not run).

# The compose command: `docker compose` (v2) when present, else docker-compose (1.29).
compose_cmd() {
  if docker compose version >/dev/null 2>&1; then
    COMPOSE=(docker compose)
  elif command -v docker-compose >/dev/null 2>&1; then
    COMPOSE=(docker-compose)
  else
    return 1
  fi
}

# A TCP port that is free on 127.0.0.1 right now (never 6379: the kernel picks an ephemeral one).
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_healthy CONTAINER [SECONDS]: wait until Docker's health check says healthy; on timeout,
# unhealthy or exit, print the container's state and logs and fail.
wait_healthy() {
  local cid=$1 limit=${2:-90} status i
  for ((i = 0; i < limit * 2; i++)); do
    status=$(docker inspect -f '{{.State.Status}}/{{if .State.Health}}{{.State.Health.Status}}{{end}}' "$cid" 2>/dev/null || echo gone)
    case $status in
      running/healthy) return 0 ;;
      running/unhealthy | exited/* | dead/* | gone) break ;;
    esac
    sleep 0.5
  done
  echo "!! container $cid is not healthy: $status" >&2
  docker inspect -f '{{json .State.Health}}' "$cid" >&2 || true
  docker logs --tail 30 "$cid" >&2 || true
  return 1
}

# wait_port PORT [SECONDS]: wait until something answers PING on 127.0.0.1:PORT.
wait_port() {
  local port=$1 limit=${2:-30} i
  for ((i = 0; i < limit * 5; i++)); do
    if [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ]; then return 0; fi
    sleep 0.2
  done
  echo "!! nothing answers PING on 127.0.0.1:$port" >&2
  return 1
}

# expect_eq WHAT EXPECTED ACTUAL: fail loudly unless equal.
expect_eq() {
  if [ "$2" != "$3" ]; then
    echo "!! FAIL: $1: expected '$2', got '$3'" >&2
    return 1
  fi
}
