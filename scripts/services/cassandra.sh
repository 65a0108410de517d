# Cassandra 5.0 single node from Maven Central jars (sourced by services.sh).
# Env: CASSANDRA_PORT (9042) CASSANDRA_STORAGE_PORT (7000) CASSANDRA_AUTH (1 = PasswordAuthenticator +
#      CassandraAuthorizer, superuser cassandra/cassandra; 0 = AllowAll) CASSANDRA_HEAP (1g)
#      CASSANDRA_START_TIMEOUT (180) CASSANDRA_CONTACT_POINTS (use an existing cluster instead)

CASSANDRA_PORT="${CASSANDRA_PORT:-9042}"
CASSANDRA_STORAGE_PORT="${CASSANDRA_STORAGE_PORT:-7000}"
CASSANDRA_AUTH="${CASSANDRA_AUTH:-1}"
CASSANDRA_HEAP="${CASSANDRA_HEAP:-1g}"
CASSANDRA_HOME_DIR="$CACHE_DIR/cassandra"

cassandra_endpoint() { echo "$SERVICES_HOST:$CASSANDRA_PORT"; }
cassandra_port()     { echo "$CASSANDRA_PORT"; }
cassandra_external() {
  [ -n "${CASSANDRA_CONTACT_POINTS:-}" ] && [ "$CASSANDRA_CONTACT_POINTS" != "$(cassandra_endpoint)" ] \
    && echo "$CASSANDRA_CONTACT_POINTS"
}

cassandra_setup() {
  require_java17
  local key; key=$(files_key "$SERVICES_DIR/cassandra-pom.xml")
  stamp_ok cassandra "$key" && return 0
  require_maven
  say "resolving cassandra-all jars from Maven Central into $CASSANDRA_HOME_DIR/lib"
  mvn_copy_deps "$SERVICES_DIR/cassandra-pom.xml" "$CASSANDRA_HOME_DIR/lib"
  stamp_write cassandra "$key"
}

cassandra_write_config() {
  local authn=AllowAllAuthenticator authz=AllowAllAuthorizer
  if [ "$CASSANDRA_AUTH" = 1 ]; then authn=PasswordAuthenticator authz=CassandraAuthorizer; fi
  mkdir -p "$CASSANDRA_HOME_DIR/conf" "$CASSANDRA_HOME_DIR/data"
  sed -e "s#@STORAGE_PORT@#$CASSANDRA_STORAGE_PORT#g" \
      -e "s#@SSL_STORAGE_PORT@#$((CASSANDRA_STORAGE_PORT + 1))#g" \
      -e "s#@NATIVE_PORT@#$CASSANDRA_PORT#g" \
      -e "s#@AUTHENTICATOR@#$authn#g" -e "s#@AUTHORIZER@#$authz#g" \
      -e "s#@DATA@#$CASSANDRA_HOME_DIR/data#g" \
      "$SERVICES_DIR/cassandra.yaml" > "$CASSANDRA_HOME_DIR/conf/cassandra.yaml"
  # a copy, so the running node does not depend on the checkout that started it
  cp "$SERVICES_DIR/cassandra-logback.xml" "$CASSANDRA_HOME_DIR/conf/logback.xml"
}

cassandra_start() {
  port_free_or_die "$CASSANDRA_PORT"
  port_free_or_die "$CASSANDRA_STORAGE_PORT"
  cassandra_write_config
  local lib="$CASSANDRA_HOME_DIR/lib" jamm opts
  jamm=$(ls "$lib"/jamm-*.jar 2>/dev/null | head -n 1)
  [ -n "$jamm" ] || die "jamm jar missing in $lib (delete $CASSANDRA_HOME_DIR/.setup-stamp and retry)"
  # one flag per line; "--add-opens X" lines split into two arguments
  read -r -d '' -a opts < <(grep -v -e '^#' -e '^[[:space:]]*$' "$SERVICES_DIR/cassandra-jvm17.options") || true
  start_bg cassandra java "-Xms$CASSANDRA_HEAP" "-Xmx$CASSANDRA_HEAP" "${opts[@]}" \
    "-javaagent:$jamm" \
    -Dcassandra-foreground=yes \
    "-Dcassandra.config=file://$CASSANDRA_HOME_DIR/conf/cassandra.yaml" \
    "-Dcassandra.storagedir=$CASSANDRA_HOME_DIR/data" \
    "-Dcassandra.logdir=$CASSANDRA_HOME_DIR/log" \
    "-Dlogback.configurationFile=$CASSANDRA_HOME_DIR/conf/logback.xml" \
    -Dcassandra.skip_wait_for_gossip_to_settle=0 \
    -Dcassandra.ring_delay_ms=100 \
    -Dcassandra.superuser_setup_delay_ms=0 \
    -cp "$lib/*" org.apache.cassandra.service.CassandraDaemon
}

# cassandra_probe [CONTACT_POINTS] -- a real CQL query (falls back to log line + port without node deps)
cassandra_probe() {
  local ep="${1:-$(cassandra_endpoint)}"
  if have_node_module cassandra-driver; then
    node_probe cassandra "$ep"
  else
    # no node deps: local node logged its CQL start line and the port answers
    [ -n "${1:-}" ] || grep -q "Starting listening for CQL clients" "$(log_file cassandra)" 2>/dev/null || return 1
    local hp="${ep%%,*}"; port_open "${hp##*:}" "${hp%%:*}"
  fi
}

cassandra_wait() { wait_ready cassandra "${CASSANDRA_START_TIMEOUT:-180}" cassandra_probe; }
cassandra_stop() { stop_pid cassandra "${CASSANDRA_STOP_TIMEOUT:-60}"; }
cassandra_clean() { rm -rf "$CASSANDRA_HOME_DIR/data"; }
cassandra_info() {
  local mode="auth off"; [ "$CASSANDRA_AUTH" = 1 ] && mode="auth on, user cassandra/cassandra"
  echo "CQL $(cassandra_endpoint) ($mode)"
}
