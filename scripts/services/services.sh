#!/usr/bin/env bash
# Local backing services for tests, without Docker.
#   bash scripts/services/services.sh up|down|status|logs [-f]|env|clean [name...]
# Names: cassandra kafka redis bigquery airflow (none = all). See README.md beside this file.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ALL_SERVICES=(cassandra kafka redis bigquery airflow)
# shellcheck source=/dev/null
for s in "${ALL_SERVICES[@]}"; do . "$SERVICES_DIR/$s.sh"; done

usage() {
  sed -n '2,4p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  exit "${1:-0}"
}

# service_up NAME -- setup (cached), start, wait until it answers; prints timings
service_up() {
  local name="$1" ext t0 t1 setup_s start_s stamp_before stamp_after
  SVC="$name"
  if ext=$("${name}_external"); then
    local waited=0
    until "${name}_probe" "$ext" >/dev/null 2>&1; do
      ((waited += 2)) && [ "$waited" -le "${EXTERNAL_WAIT:-30}" ] ||
        die "external endpoint $ext does not answer (waited ${EXTERNAL_WAIT:-30}s)"
      sleep 2
    done
    say "external: $ext (answers; not started here)"
    return 0
  fi
  with_lock "$name"
  if [ "$name" = airflow ] && airflow_ready_cached; then
    say "already set up ($(airflow_info))"
    return 0
  fi
  if [ "$name" != airflow ] && pid_alive "$name"; then
    if "${name}_probe" >/dev/null 2>&1; then
      say "already running (pid $(read_pid "$name"), port $("${name}_port"))"
      return 0
    fi
    say "process $(read_pid "$name") is up but not answering yet; waiting"
    "${name}_wait"
    say "ready (pid $(read_pid "$name"), port $("${name}_port"))"
    return 0
  fi
  stamp_before=$(stat -c %Y.%s "$CACHE_DIR/$name/.setup-stamp" 2>/dev/null || true)
  t0=$(now)
  "${name}_setup"
  setup_s=$(elapsed "$t0")
  stamp_after=$(stat -c %Y.%s "$CACHE_DIR/$name/.setup-stamp" 2>/dev/null || true)
  if [ "$stamp_before" != "$stamp_after" ]; then
    echo "$setup_s" > "$CACHE_DIR/$name/first-setup-seconds"
    say "first-time setup took ${setup_s}s (recorded in $CACHE_DIR/$name/first-setup-seconds)"
  else
    say "setup cached (${setup_s}s)"
  fi
  t1=$(now)
  "${name}_start"
  "${name}_wait"
  start_s=$(elapsed "$t1")
  if [ "$name" = airflow ]; then
    say "ready in ${start_s}s ($(airflow_info))"
  else
    say "started in ${start_s}s (pid $(read_pid "$name"); $("${name}_info"))"
  fi
  echo "setup=${setup_s}s start=${start_s}s" > "$CACHE_DIR/$name/last-up"
}

# warn_legacy_cache -- the per-checkout .services/ used before the cache became machine-level
warn_legacy_cache() {
  local old="$REPO_ROOT/.services" d
  [ "$old" != "$CACHE_DIR" ] || return 0
  for d in go m2 airflow-venv; do
    if [ -d "$old/$d" ] && [ ! -L "$old/$d" ]; then
      SVC=services warn "$old holds an old per-checkout cache ($(du -sh "$old" 2>/dev/null | cut -f1)) that is no longer used (cache: $CACHE_DIR). Stop its services with SERVICES_CACHE_DIR=$old, then delete it; see scripts/services/README.md"
      return 0
    fi
  done
}

cmd_up() {
  local name pids=() failed=() i
  mkdir -p "$CACHE_DIR"
  warn_legacy_cache
  if [ "${SERVICES_PARALLEL:-1}" = 0 ] || [ $# -eq 1 ]; then
    # (a background job + wait keeps `set -e` active inside service_up; `( ... ) || x` would not)
    for name in "$@"; do ( service_up "$name" ) & wait $! || failed+=("$name"); done
  else
    # services start side by side (the first-time setups are mostly downloads and a C++ build)
    for name in "$@"; do ( service_up "$name" ) & pids+=($!); done
    for i in "${!pids[@]}"; do wait "${pids[$i]}" || failed+=("${@:$((i + 1)):1}"); done
  fi
  if [ ${#failed[@]} -gt 0 ]; then
    SVC=services die "failed to bring up: ${failed[*]}"
  fi
  SVC=services say "all requested services are up: $*"
}

cmd_down() {
  local name ext
  for name in "$@"; do
    SVC="$name"
    with_lock "$name"
    if ext=$("${name}_external") && ! pid_alive "$name"; then say "external: $ext (not stopped)"; continue; fi
    "${name}_stop"
  done
}

status_line() {
  local name="$1" ext pid port state
  if [ "$name" = airflow ]; then
    if ext=$(airflow_external); then state="external: $ext"
    elif airflow_ready_cached; then
      state="ready (no daemon) venv=$AIRFLOW_VENV AIRFLOW_HOME=$AIRFLOW_HOME"
    elif [ -x "$AIRFLOW_VENV/bin/python" ] && [ -f "$AIRFLOW_HOME/.migrated" ]; then
      state="installed, not verified for this checkout/location (requirements, airflow.cfg or venv path changed): run up"
    else state="stopped (not installed or DB not migrated: run up)"; fi
  elif pid_alive "$name"; then
    pid=$(read_pid "$name"); port=$("${name}_port")
    if port_open "$port"; then state="running pid $pid port $port"
    else state="running pid $pid port $port (port not answering yet)"; fi
    if ext=$("${name}_external"); then state="external: $ext (a local one is also $state)"; fi
  elif ext=$("${name}_external"); then state="external: $ext"
  else state="stopped"; fi
  printf '%-10s %s\n' "$name" "$state"
}

cmd_status() { local name; for name in "$@"; do status_line "$name"; done; }

cmd_logs() {
  local follow=() name f
  if [ "${1:-}" = -f ]; then follow=(-F); shift; fi
  [ $# -ge 1 ] || set -- "${ALL_SERVICES[@]}"
  for name in "$@"; do
    f=$(log_file "$name")
    [ -f "$f" ] || { echo "== $name: no log yet ($f)"; continue; }
    echo "== $name: $f"
    tail -n "${LOG_LINES:-100}" "${follow[@]}" "$f" 2>/dev/null || true
  done
}

# env: export lines for tests, e.g. eval "$(bash scripts/services/services.sh env)"
cmd_env() {
  local ext
  echo "export CASSANDRA_CONTACT_POINTS=$(cassandra_external || cassandra_endpoint)"
  echo "export CASSANDRA_LOCAL_DC=${CASSANDRA_LOCAL_DC:-datacenter1}"
  if [ "$CASSANDRA_AUTH" = 1 ] && ! cassandra_external >/dev/null; then
    echo "export CASSANDRA_USERNAME=cassandra CASSANDRA_PASSWORD=cassandra"
  fi
  echo "export KAFKA_BROKERS=$(kafka_external || kafka_endpoint)"
  echo "export REDIS_URL=$(redis_external || redis_endpoint)"
  echo "export BIGQUERY_API_ENDPOINT=$(bigquery_external || bigquery_endpoint) BIGQUERY_PROJECT=$BIGQUERY_PROJECT"
  # keeps google-auth-library from probing the GCE metadata server (169.254.169.254) without credentials
  echo "export METADATA_SERVER_DETECTION=none"
  echo "export AIRFLOW_PYTHON=$(airflow_external || airflow_endpoint) AIRFLOW_HOME=$AIRFLOW_HOME"
  # downloads/builds/state of these services (e.g. Cassandra's jars in $SERVICES_CACHE_DIR/cassandra/lib)
  echo "export SERVICES_CACHE_DIR=$CACHE_DIR"
}

cmd_clean() {
  local name
  for name in "$@"; do
    SVC="$name"
    with_lock "$name"
    if [ "$name" != airflow ] && pid_alive "$name"; then warn "running: run 'down $name' first"; continue; fi
    "${name}_clean"; say "data removed (downloads/builds kept)"
  done
}

main() {
  local cmd="${1:-}"; shift || true
  case "$cmd" in
    logs) cmd_logs "$@"; return ;;
    env) cmd_env; return ;;
    -h|--help|help|"") usage 0 ;;
  esac
  local names=("$@") n ok s
  [ ${#names[@]} -gt 0 ] || names=("${ALL_SERVICES[@]}")
  for n in "${names[@]}"; do
    ok=0; for s in "${ALL_SERVICES[@]}"; do [ "$n" = "$s" ] && ok=1; done
    [ $ok = 1 ] || die "unknown service '$n' (known: ${ALL_SERVICES[*]})"
  done
  case "$cmd" in
    up) cmd_up "${names[@]}" ;;
    down) local rev=(); for n in "${names[@]}"; do rev=("$n" "${rev[@]}"); done; cmd_down "${rev[@]}" ;;
    status) cmd_status "${names[@]}" ;;
    clean) cmd_clean "${names[@]}" ;;
    *) echo "unknown command '$cmd'" >&2; usage 2 ;;
  esac
}

main "$@"
