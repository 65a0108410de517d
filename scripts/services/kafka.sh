# Kafka (KRaft, one combined broker+controller) from Maven Central jars (sourced by services.sh).
# The log dir is formatted fresh on every start: topics do not survive down/up.
# Env: KAFKA_PORT (9092) KAFKA_CONTROLLER_PORT (9093) KAFKA_HEAP (512m) KAFKA_START_TIMEOUT (120)
#      KAFKA_BROKERS (use an existing cluster instead)

KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_HEAP="${KAFKA_HEAP:-512m}"
KAFKA_HOME_DIR="$CACHE_DIR/kafka"

kafka_endpoint() { echo "$SERVICES_HOST:$KAFKA_PORT"; }
kafka_port()     { echo "$KAFKA_PORT"; }
kafka_external() {
  [ -n "${KAFKA_BROKERS:-}" ] && [ "$KAFKA_BROKERS" != "$(kafka_endpoint)" ] && echo "$KAFKA_BROKERS"
}

kafka_setup() {
  require_java17
  local key; key=$(files_key "$SERVICES_DIR/kafka-pom.xml")
  stamp_ok kafka "$key" && return 0
  require_maven
  say "resolving kafka_2.13 jars from Maven Central into $KAFKA_HOME_DIR/lib"
  mvn_copy_deps "$SERVICES_DIR/kafka-pom.xml" "$KAFKA_HOME_DIR/lib"
  stamp_write kafka "$key"
}

kafka_jvm_opts() {
  KAFKA_JVM=("-Xms$KAFKA_HEAP" "-Xmx$KAFKA_HEAP" -XX:+UseG1GC -XX:MaxGCPauseMillis=20
    -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true
    "-Dlog4j2.configurationFile=$KAFKA_HOME_DIR/conf/log4j2.properties" -cp "$KAFKA_HOME_DIR/lib/*")
}

kafka_start() {
  port_free_or_die "$KAFKA_PORT"
  port_free_or_die "$KAFKA_CONTROLLER_PORT"
  local conf="$KAFKA_HOME_DIR/conf/server.properties" data="$KAFKA_HOME_DIR/data" cluster_id
  mkdir -p "$KAFKA_HOME_DIR/conf" "$KAFKA_HOME_DIR/log"
  sed -e "s#@PORT@#$KAFKA_PORT#g" -e "s#@CONTROLLER_PORT@#$KAFKA_CONTROLLER_PORT#g" -e "s#@DATA@#$data#g" \
    "$SERVICES_DIR/kafka-server.properties" > "$conf"
  # a copy, so the running broker does not depend on the checkout that started it
  cp "$SERVICES_DIR/kafka-log4j2.properties" "$KAFKA_HOME_DIR/conf/log4j2.properties"
  # fresh storage each start: random 16-byte cluster id, base64url without padding (what kafka-storage random-uuid prints)
  rm -rf "$data"
  cluster_id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | cut -c 1-22)
  kafka_jvm_opts
  java "${KAFKA_JVM[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$conf" > "$KAFKA_HOME_DIR/log/format.log" 2>&1 \
    || { tail -n 20 "$KAFKA_HOME_DIR/log/format.log" >&2; die "kafka storage format failed"; }
  start_bg kafka java "${KAFKA_JVM[@]}" kafka.Kafka "$conf"
}

# kafka_probe [BROKERS] -- create/describe a probe topic with kafkajs (falls back to log line + port)
kafka_probe() {
  local ep="${1:-$(kafka_endpoint)}"
  if have_node_module kafkajs; then
    node_probe kafka "$ep"
  else
    # no node deps: local broker logged its start line and the port answers
    [ -n "${1:-}" ] || grep -q "Kafka Server started" "$(log_file kafka)" 2>/dev/null || return 1
    local hp="${ep%%,*}"; port_open "${hp##*:}" "${hp%%:*}"
  fi
}

kafka_wait()  { wait_ready kafka "${KAFKA_START_TIMEOUT:-120}" kafka_probe; }
kafka_stop()  { stop_pid kafka "${KAFKA_STOP_TIMEOUT:-30}"; }
kafka_clean() { rm -rf "$KAFKA_HOME_DIR/data"; }
kafka_info()  { echo "PLAINTEXT $(kafka_endpoint), controller $SERVICES_HOST:$KAFKA_CONTROLLER_PORT"; }
