# BigQuery API emulator: goccy/bigquery-emulator v0.8.1 built from the Go module proxy (sourced by services.sh).
# Pure Go since v0.8 (goccy/googlesqlite): CGO_ENABLED=0, no C/C++ compiler. The first build takes
# 5.5-8.5 min on 2 cores (one huge generated package; peak ~6 GB RAM); GOPATH/GOCACHE/GOMODCACHE live in
# $CACHE_DIR/go so later builds are cached. The binary is named after the pinned version and the
# go.sum key, so checkouts pinning different versions keep their own binary.
# Data is in memory: it is lost on down/up unless BIGQUERY_DATABASE names a file.
# Env: BIGQUERY_PORT (9050) BIGQUERY_GRPC_PORT (9060) BIGQUERY_PROJECT (test-project)
#      BIGQUERY_EXTRA_PROJECTS (more project ids, comma/space separated; the emulator answers
#      404 "project X is not found" for any project it was not started with)
#      BIGQUERY_DATABASE (sqlite file, optional) BIGQUERY_LOG_LEVEL (info) BIGQUERY_START_TIMEOUT (60)
#      BIGQUERY_API_ENDPOINT (use an existing emulator/endpoint instead)

BIGQUERY_PORT="${BIGQUERY_PORT:-9050}"
BIGQUERY_GRPC_PORT="${BIGQUERY_GRPC_PORT:-9060}"
BIGQUERY_PROJECT="${BIGQUERY_PROJECT:-test-project}"
BIGQUERY_HOME_DIR="$CACHE_DIR/bigquery"
GO_CACHE_ROOT="$CACHE_DIR/go"
BIGQUERY_MODULE_DIR="$SERVICES_DIR/bigquery-emulator"
BIGQUERY_EMULATOR_VERSION=$(awk '$1 == "require" && $2 == "github.com/goccy/bigquery-emulator" { print $3 }' "$BIGQUERY_MODULE_DIR/go.mod")
BIGQUERY_BUILD_KEY=$(files_key "$BIGQUERY_MODULE_DIR/go.mod" "$BIGQUERY_MODULE_DIR/go.sum")
BIGQUERY_BIN="$GO_CACHE_ROOT/bin/bigquery-emulator-$BIGQUERY_EMULATOR_VERSION-$BIGQUERY_BUILD_KEY"

bigquery_endpoint() { echo "http://$SERVICES_HOST:$BIGQUERY_PORT"; }
bigquery_port()     { echo "$BIGQUERY_PORT"; }
bigquery_external() {
  [ -n "${BIGQUERY_API_ENDPOINT:-}" ] && [ "$BIGQUERY_API_ENDPOINT" != "$(bigquery_endpoint)" ] \
    && echo "$BIGQUERY_API_ENDPOINT"
}

bigquery_setup() {
  [ -x "$BIGQUERY_BIN" ] && return 0
  require_cmd go "install Go >= 1.25 (older go fetches the 1.25 toolchain from the module proxy itself, GOTOOLCHAIN=auto)"
  say "building goccy/bigquery-emulator $BIGQUERY_EMULATOR_VERSION (pure Go; first build 5.5-8.5 min on 2 cores; log: $GO_CACHE_ROOT/build.log)"
  mkdir -p "$GO_CACHE_ROOT/bin"
  (
    cd "$BIGQUERY_MODULE_DIR" &&
    GOPATH="$GO_CACHE_ROOT" GOMODCACHE="$GO_CACHE_ROOT/pkg/mod" GOCACHE="$GO_CACHE_ROOT/cache" \
    GOFLAGS="-buildvcs=false -modcacherw -mod=readonly" CGO_ENABLED=0 \
    go build -trimpath -o "$BIGQUERY_BIN.tmp" github.com/goccy/bigquery-emulator/cmd/bigquery-emulator
  ) > "$GO_CACHE_ROOT/build.log" 2>&1 || { tail -n 30 "$GO_CACHE_ROOT/build.log" >&2; die "bigquery-emulator build failed"; }
  mv -f "$BIGQUERY_BIN.tmp" "$BIGQUERY_BIN"
  stamp_write bigquery "$BIGQUERY_EMULATOR_VERSION $BIGQUERY_BUILD_KEY"
}

# bigquery_projects_yaml -- the extra projects as a --data-from-yaml file (projects without datasets)
bigquery_projects_yaml() {
  local f="$BIGQUERY_HOME_DIR/extra-projects.yaml" p
  echo "projects:" > "$f"
  for p in ${BIGQUERY_EXTRA_PROJECTS//,/ }; do
    [ "$p" = "$BIGQUERY_PROJECT" ] || printf '  - id: %s\n    datasets: []\n' "$p" >> "$f"
  done
  echo "$f"
}

bigquery_start() {
  port_free_or_die "$BIGQUERY_PORT"
  port_free_or_die "$BIGQUERY_GRPC_PORT"
  mkdir -p "$BIGQUERY_HOME_DIR"
  local args=(--project="$BIGQUERY_PROJECT" --host="$SERVICES_HOST" --port="$BIGQUERY_PORT"
    --grpc-port="$BIGQUERY_GRPC_PORT" --log-level="${BIGQUERY_LOG_LEVEL:-info}")
  [ -n "${BIGQUERY_DATABASE:-}" ] && args+=(--database="$BIGQUERY_DATABASE")
  [ -n "${BIGQUERY_EXTRA_PROJECTS:-}" ] && args+=(--data-from-yaml="$(bigquery_projects_yaml)")
  echo "$BIGQUERY_EMULATOR_VERSION" > "$BIGQUERY_HOME_DIR/running-version"
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
bigquery_info()  {
  echo "goccy/bigquery-emulator $(cat "$BIGQUERY_HOME_DIR/running-version" 2>/dev/null || echo "$BIGQUERY_EMULATOR_VERSION"), REST $(bigquery_endpoint), gRPC $SERVICES_HOST:$BIGQUERY_GRPC_PORT, project $BIGQUERY_PROJECT${BIGQUERY_EXTRA_PROJECTS:+ (+ $BIGQUERY_EXTRA_PROJECTS)}"
}
