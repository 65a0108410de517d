# Shared helpers for scripts/services/*.sh (sourced, not executed).
# Layout: one machine-level folder shared by every checkout (downloads, builds, venv, and the runtime
# state of the services, which listen on machine-wide ports): $CACHE_DIR/<name>/{log/<name>.log,
# <name>.pid, data/, ...}. SERVICES_CACHE_DIR overrides it (e.g. SERVICES_CACHE_DIR=.services for a
# per-checkout cache; a relative path is taken from the current directory).

SERVICES_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SERVICES_DIR/../.." && pwd)"
CACHE_DIR="$(realpath -m "${SERVICES_CACHE_DIR:-${XDG_CACHE_HOME:-${HOME:?HOME is not set; set SERVICES_CACHE_DIR}/.cache}/featurestore/services}")"
SERVICES_HOST=127.0.0.1

say()  { printf '[%s] %s\n' "${SVC:-services}" "$*"; }
warn() { printf '[%s] WARNING: %s\n' "${SVC:-services}" "$*" >&2; }
die()  { printf '[%s] ERROR: %s\n' "${SVC:-services}" "$*" >&2; exit 1; }

now() { date +%s.%N; }
# elapsed START -> seconds with one decimal
elapsed() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.1f", e - s }'; }

svc_dir()  { echo "$CACHE_DIR/$1"; }
pid_file() { echo "$CACHE_DIR/$1/$1.pid"; }
log_file() { echo "$CACHE_DIR/$1/log/$1.log"; }

# require_cmd CMD "how to install" -- fail naming the missing prerequisite
require_cmd() {
  command -v "$1" >/dev/null 2>&1 || die "missing prerequisite '$1'. Install it with: $2"
}

# ensure_apt_cmd CMD PACKAGE -- install a Debian package when CMD is missing (as root), else fail naming it
ensure_apt_cmd() {
  command -v "$1" >/dev/null 2>&1 && return 0
  { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; } ||
    die "missing prerequisite '$1'. Install it with: apt-get install -y $2"
  say "installing Debian package $2 (for '$1')"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q "$2" >/dev/null 2>&1 ||
    { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q "$2" >/dev/null; } ||
    die "apt-get install -y $2 failed"
  command -v "$1" >/dev/null 2>&1 || die "'$1' still missing after apt-get install -y $2"
}

require_java17() {
  require_cmd java "apt-get install -y openjdk-17-jdk-headless"
  local v
  v=$(java -version 2>&1 | awk -F'"' '/version/ { print $2; exit }')
  case "$v" in
    1.*|9*|10*|11*|12*|13*|14*|15*|16*)
      die "Java 17+ is required (found $v). Install it with: apt-get install -y openjdk-17-jdk-headless" ;;
  esac
}

require_maven() { require_cmd mvn "apt-get install -y maven"; }

# mvn_copy_deps POM OUTDIR -- resolve a pom's runtime jars into OUTDIR (Maven repo cached in $CACHE_DIR/m2)
mvn_copy_deps() {
  local pom="$1" out="$2" tmp="$2.tmp"
  local log; log="$CACHE_DIR/mvn-$(basename "$pom" .xml).log"
  rm -rf "$tmp"
  mkdir -p "$CACHE_DIR"
  mvn -B -q -Dstyle.color=never -Dmaven.repo.local="$CACHE_DIR/m2" -f "$pom" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" > "$log" 2>&1 \
    || { tail -n 30 "$log" >&2; die "maven could not resolve $pom (is Maven Central reachable?)"; }
  rm -rf "$out" && mv "$tmp" "$out"
}

# Setup stamps: a service's one-time setup is done when its stamp holds the expected key.
stamp_ok()    { [ -f "$CACHE_DIR/$1/.setup-stamp" ] && [ "$(cat "$CACHE_DIR/$1/.setup-stamp")" = "$2" ]; }
stamp_write() { mkdir -p "$CACHE_DIR/$1" && echo "$2" > "$CACHE_DIR/$1/.setup-stamp"; }
# stamp key from files that define the install (version pins, poms)
files_key() { cat "$@" | cksum | awk '{ print $1 }'; }

read_pid() { local f; f=$(pid_file "$1"); [ -s "$f" ] && cat "$f"; }

# pid_alive NAME -- the pid in NAME's pid file is a live process
pid_alive() {
  local pid; pid=$(read_pid "$1") || return 1
  kill -0 "$pid" 2>/dev/null
}

# port_open PORT [HOST]
port_open() {
  timeout 2 bash -c "exec 3<>/dev/tcp/${2:-$SERVICES_HOST}/$1" 2>/dev/null
}

# port_free_or_die PORT -- refuse to start over a port someone else holds
port_free_or_die() {
  if port_open "$1"; then
    die "port $1 on $SERVICES_HOST is already in use by a process without a pid file in $CACHE_DIR (another program, or services started with another SERVICES_CACHE_DIR: use the same SERVICES_CACHE_DIR there, or stop it, or choose another port via env)."
  fi
}

# with_lock NAME -- hold an exclusive lock on NAME until the calling (sub)shell exits, so that two
# checkouts sharing $CACHE_DIR do not set up / start / stop the same service at the same time
with_lock() {
  local f="$CACHE_DIR/.locks/$1.lock" fd
  mkdir -p "$CACHE_DIR/.locks"
  command -v flock >/dev/null 2>&1 || { warn "flock not found (util-linux): not locking $1"; return 0; }
  exec {fd}>"$f"
  SERVICES_LOCK_FD=$fd   # start_bg closes it for the service process, which must not inherit the lock
  flock -n "$fd" && return 0
  say "another 'services.sh' (maybe another checkout) holds $f; waiting up to ${SERVICES_LOCK_TIMEOUT:-1800}s"
  flock -w "${SERVICES_LOCK_TIMEOUT:-1800}" "$fd" || die "timed out waiting for $f"
}

# rotate_log NAME -- keep the previous run's log as <name>.log.1
rotate_log() {
  local f; f=$(log_file "$1")
  mkdir -p "$(dirname "$f")"
  [ -f "$f" ] && mv -f "$f" "$f.1"
  : > "$f"
}

# start_bg NAME CMD... -- run CMD detached, stdout+stderr to NAME's log, record pid
start_bg() {
  local name="$1"; shift
  local log; log=$(log_file "$name")
  local pidf; pidf=$(pid_file "$name")
  rotate_log "$name"
  rm -f "$pidf"
  # own session (survives the caller's Ctrl-C / process-group kill); the inner shell
  # records its pid and execs CMD, so the pid file holds the service's real pid.
  # The working directory is the service's cache dir, not the checkout (which may be deleted
  # while the service keeps running, e.g. a CI clone).
  # One background subshell that execs: no extra process keeps the caller's stdout open.
  # shellcheck disable=SC2016
  ( [ -z "${SERVICES_LOCK_FD:-}" ] || exec {SERVICES_LOCK_FD}>&-
    cd "$(svc_dir "$name")" && exec nohup setsid bash -c 'echo $$ > "$0"; exec "$@"' "$pidf" "$@"
  ) >>"$log" 2>&1 < /dev/null &
  local i
  for ((i = 0; i < 50; i++)); do [ -s "$pidf" ] && return 0; sleep 0.1; done
  die "could not start $name: no pid recorded"
}

# show_log_tail NAME [LINES] [EXTRA_FILE...]
show_log_tail() {
  local name="$1" n="${2:-40}" f
  shift 2 2>/dev/null || shift $#
  for f in "$(log_file "$name")" "$@"; do
    [ -f "$f" ] || continue
    echo "----- last $n lines of $f -----" >&2
    tail -n "$n" "$f" >&2
  done
}

# wait_ready NAME TIMEOUT_SECS PROBE_FN -- poll PROBE_FN every second; fail with the log tail
wait_ready() {
  local name="$1" limit="$2" probe="$3" start; start=$(now)
  while :; do
    if "$probe" >/dev/null 2>&1; then return 0; fi
    if ! pid_alive "$name"; then
      show_log_tail "$name" 60
      die "$name exited during startup (see $(log_file "$name"))"
    fi
    if awk -v s="$start" -v e="$(now)" -v l="$limit" 'BEGIN { exit !(e - s > l) }'; then
      show_log_tail "$name" 60
      die "$name did not answer within ${limit}s; pid $(read_pid "$name") is left running (a later 'up' waits for it again, 'down $name' stops it; raise ${name^^}_START_TIMEOUT?)"
    fi
    sleep 1
  done
}

# stop_pid NAME [GRACE_SECS] -- SIGTERM, wait, then SIGKILL; removes the pid file
stop_pid() {
  local name="$1" grace="${2:-30}" pid i
  pid=$(read_pid "$name") || { say "stopped (no pid file)"; return 0; }
  if ! kill -0 "$pid" 2>/dev/null; then
    rm -f "$(pid_file "$name")"; say "stopped (stale pid $pid)"; return 0
  fi
  local start; start=$(now)
  kill -TERM "$pid" 2>/dev/null
  for ((i = 0; i < grace * 5; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    warn "pid $pid still alive after ${grace}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null
    sleep 0.5
  fi
  rm -f "$(pid_file "$name")"
  say "stopped pid $pid in $(elapsed "$start")s"
}

# node_probe ARGS... -- run probe.mjs with the repo's node_modules (returns 2 if node/deps are missing)
node_probe() {
  command -v node >/dev/null 2>&1 || return 2
  (cd "$REPO_ROOT" && timeout 20 node "$SERVICES_DIR/probe.mjs" "$@")
}
have_node_module() {
  command -v node >/dev/null 2>&1 && [ -d "$REPO_ROOT/node_modules/$1" ]
}
