# BigQuery API emulator: goccy/bigquery-emulator built from the Go module proxy (sourced by services.sh).
# The build uses cgo + go-zetasql (C++, needs clang): the first build takes a long time on 2 cores;
# GOPATH/GOCACHE/GOMODCACHE live in .services/go so later builds are cached.
# Data is in memory: it is lost on down/up unless BIGQUERY_DATABASE names a file.
# Env: BIGQUERY_PORT (9050) BIGQUERY_GRPC_PORT (9060) BIGQUERY_PROJECT (test-project)
#      BIGQUERY_DATABASE (sqlite file, optional) BIGQUERY_LOG_LEVEL (info) BIGQUERY_START_TIMEOUT (60)
#      BIGQUERY_API_ENDPOINT (use an existing emulator/endpoint instead)

BIGQUERY_PORT="${BIGQUERY_PORT:-9050}"
BIGQUERY_GRPC_PORT="${BIGQUERY_GRPC_PORT:-9060}"
BIGQUERY_PROJECT="${BIGQUERY_PROJECT:-test-project}"
BIGQUERY_HOME_DIR="$CACHE_DIR/bigquery"
GO_CACHE_ROOT="$CACHE_DIR/go"
BIGQUERY_BIN="$GO_CACHE_ROOT/bin/bigquery-emulator"
BIGQUERY_MODULE_DIR="$SERVICES_DIR/bigquery-emulator"

bigquery_endpoint() { echo "http://$SERVICES_HOST:$BIGQUERY_PORT"; }
bigquery_port()     { echo "$BIGQUERY_PORT"; }
bigquery_external() {
  [ -n "${BIGQUERY_API_ENDPOINT:-}" ] && [ "$BIGQUERY_API_ENDPOINT" != "$(bigquery_endpoint)" ] \
    && echo "$BIGQUERY_API_ENDPOINT"
}

bigquery_setup() {
  local key; key=$(files_key "$BIGQUERY_MODULE_DIR/go.mod" "$BIGQUERY_MODULE_DIR/go.sum")
  [ -x "$BIGQUERY_BIN" ] && stamp_ok bigquery "$key" && return 0
  require_cmd go "install Go >= 1.21 (e.g. apt-get install -y golang-go, or the official Go toolchain)"
  # go-zetasql's C++ does not compile with GCC 12 (constexpr / extern "C" errors): clang is required
  require_cmd clang++ "apt-get install -y clang"
  say "building goccy/bigquery-emulator (cgo + go-zetasql, first build takes a long time; log: $GO_CACHE_ROOT/build.log)"
  mkdir -p "$GO_CACHE_ROOT/bin"
  (
    cd "$BIGQUERY_MODULE_DIR" &&
    GOPATH="$GO_CACHE_ROOT" GOMODCACHE="$GO_CACHE_ROOT/pkg/mod" GOCACHE="$GO_CACHE_ROOT/cache" \
    GOFLAGS="-buildvcs=false -modcacherw -mod=readonly" CGO_ENABLED=1 CC=clang CXX=clang++ \
    go build -o "$BIGQUERY_BIN.tmp" github.com/goccy/bigquery-emulator/cmd/bigquery-emulator
  ) > "$GO_CACHE_ROOT/build.log" 2>&1 || { tail -n 30 "$GO_CACHE_ROOT/build.log" >&2; die "bigquery-emulator build failed"; }
  mv -f "$BIGQUERY_BIN.tmp" "$BIGQUERY_BIN"
  stamp_write bigquery "$key"
}

bigquery_start() {
  port_free_or_die "$BIGQUERY_PORT"
  port_free_or_die "$BIGQUERY_GRPC_PORT"
  local args=(--project="$BIGQUERY_PROJECT" --host="$SERVICES_HOST" --port="$BIGQUERY_PORT"
    --grpc-port="$BIGQUERY_GRPC_PORT" --log-level="${BIGQUERY_LOG_LEVEL:-info}")
  [ -n "${BIGQUERY_DATABASE:-}" ] && args+=(--database="$BIGQUERY_DATABASE")
  mkdir -p "$BIGQUERY_HOME_DIR"
  start_bg bigquery "$BIGQUERY_BIN" "${args[@]}"
}

# bigquery_probe [ENDPOINT] -- the REST API lists the project's datasets (and runs SELECT 1 with the Node client)
bigquery_probe() {
  local ep="${1:-$(bigquery_endpoint)}"
  curl -sf -m 5 "$ep/bigquery/v2/projects/$BIGQUERY_PROJECT/datasets" >/dev/null || return 1
  if have_node_module @google-cloud/bigquery; then
    BIGQUERY_PROJECT="$BIGQUERY_PROJECT" node_probe bigquery "$ep"
  fi
}

bigquery_wait()  { wait_ready bigquery "${BIGQUERY_START_TIMEOUT:-60}" bigquery_probe; }
bigquery_stop()  { stop_pid bigquery 10; }
bigquery_clean() { [ -n "${BIGQUERY_DATABASE:-}" ] && rm -f "$BIGQUERY_DATABASE"; return 0; }
bigquery_info()  { echo "REST $(bigquery_endpoint), gRPC $SERVICES_HOST:$BIGQUERY_GRPC_PORT, project $BIGQUERY_PROJECT"; }
