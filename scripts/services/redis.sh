# Redis from Debian's redis-server package, no persistence (sourced by services.sh).
# Env: REDIS_PORT (6379) REDIS_START_TIMEOUT (30) REDIS_URL (use an existing server instead)

REDIS_PORT="${REDIS_PORT:-6379}"
REDIS_HOME_DIR="$CACHE_DIR/redis"

redis_endpoint() { echo "redis://$SERVICES_HOST:$REDIS_PORT"; }
redis_port()     { echo "$REDIS_PORT"; }
redis_external() {
  [ -n "${REDIS_URL:-}" ] && [ "$REDIS_URL" != "$(redis_endpoint)" ] && echo "$REDIS_URL"
}

redis_setup() {
  command -v redis-server >/dev/null 2>&1 && return 0
  ensure_apt_cmd redis-server redis-server
  stamp_write redis "apt $(redis-server --version | awk '{ print $3 }')"
}

redis_start() {
  port_free_or_die "$REDIS_PORT"
  mkdir -p "$REDIS_HOME_DIR/data"
  start_bg redis redis-server --port "$REDIS_PORT" --bind "$SERVICES_HOST" --save '' --appendonly no \
    --daemonize no --dir "$REDIS_HOME_DIR/data" --logfile ''
}

# redis_probe [URL] -- PING
redis_probe() {
  local url="${1:-$(redis_endpoint)}"
  if command -v redis-cli >/dev/null 2>&1; then
    [ "$(timeout 5 redis-cli -u "$url" ping 2>/dev/null)" = PONG ]
  else
    node_probe redis "$url"
  fi
}

redis_wait()  { wait_ready redis "${REDIS_START_TIMEOUT:-30}" redis_probe; }
redis_stop()  { stop_pid redis 10; }
redis_clean() { rm -rf "$REDIS_HOME_DIR/data"; }
redis_info()  { echo "$(redis_endpoint) (in-memory, no persistence)"; }
