# Apache Airflow in a venv, SQLite metadata DB (sourced by services.sh).
# No daemon: "up" means the venv is installed, `airflow db migrate` ran and a DagBag import works.
# Env: AIRFLOW_PROVIDERS ("google", the default: the generated upsync DAGs import
#      apache-airflow-providers-google; "none" for bare Airflow)
#      AIRFLOW_BASE_PYTHON (python3; 3.11 matches the pinned wheels) AIRFLOW_HOME ($CACHE_DIR/airflow)
#      PIP_CACHE_DIR ($CACHE_DIR/pip)
#      AIRFLOW_PYTHON (an existing python with airflow installed: nothing is installed then)

AIRFLOW_VENV="$CACHE_DIR/airflow-venv"
AIRFLOW_HOME="${AIRFLOW_HOME:-$CACHE_DIR/airflow}"
AIRFLOW_REQUIREMENTS="$SERVICES_DIR/requirements-airflow-google.txt"
[ "${AIRFLOW_PROVIDERS:-google}" = none ] && AIRFLOW_REQUIREMENTS="$SERVICES_DIR/requirements-airflow.txt"
export AIRFLOW_HOME

airflow_endpoint() { echo "$AIRFLOW_VENV/bin/python"; }
airflow_port()     { echo "-"; }
airflow_external() {
  [ -n "${AIRFLOW_PYTHON:-}" ] && [ "$AIRFLOW_PYTHON" != "$(airflow_endpoint)" ] && echo "$AIRFLOW_PYTHON"
}

airflow_setup() {
  local key; key=$(files_key "$AIRFLOW_REQUIREMENTS")
  if ! { [ -x "$AIRFLOW_VENV/bin/airflow" ] && stamp_ok airflow "$key"; }; then
    local py="${AIRFLOW_BASE_PYTHON:-python3}"
    require_cmd "$py" "apt-get install -y python3 python3-venv (Python 3.11 matches the pinned wheels)"
    local ver; ver=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    [ "$ver" = 3.11 ] || warn "requirements-airflow.txt was pinned on Python 3.11; $py is $ver (install may fail)"
    say "creating $AIRFLOW_VENV and installing $(grep -m1 '^apache-airflow==' "$AIRFLOW_REQUIREMENTS") from PyPI"
    rm -rf "$AIRFLOW_VENV"
    "$py" -m venv "$AIRFLOW_VENV" || die "python venv failed (apt-get install -y python3-venv)"
    PIP_CACHE_DIR="${PIP_CACHE_DIR:-$CACHE_DIR/pip}" \
      "$AIRFLOW_VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$AIRFLOW_REQUIREMENTS" \
      > "$CACHE_DIR/airflow-pip.log" 2>&1 || { tail -n 30 "$CACHE_DIR/airflow-pip.log" >&2; die "pip install of Airflow failed"; }
    rm -f "$AIRFLOW_HOME/.migrated" "$AIRFLOW_HOME/.verified"
    stamp_write airflow "$key"
  fi
  airflow_relocate_venv
  mkdir -p "$AIRFLOW_HOME/dags" "$AIRFLOW_HOME/plugins" "$AIRFLOW_HOME/logs" "$(dirname "$(log_file airflow)")"
  # (re)written whenever it differs from the template, e.g. after the cache folder moved
  airflow_cfg_current || airflow_render_cfg > "$AIRFLOW_HOME/airflow.cfg"
}

airflow_render_cfg()  { sed -e "s#@AIRFLOW_HOME@#$AIRFLOW_HOME#g" "$SERVICES_DIR/airflow.cfg"; }
airflow_cfg_current() { [ -f "$AIRFLOW_HOME/airflow.cfg" ] && cmp -s <(airflow_render_cfg) "$AIRFLOW_HOME/airflow.cfg"; }

# the venv's console scripts (bin/airflow, bin/pip, ...) and activate scripts hold its absolute path
venv_recorded_path() {
  local py
  py=$(head -n 3 "$AIRFLOW_VENV/bin/pip" 2>/dev/null | grep -m 1 -oE "/[^'\" ]*/bin/python[0-9.]*") || return 1
  echo "${py%/bin/python*}"
}
airflow_venv_current() { [ "$(venv_recorded_path)" = "$AIRFLOW_VENV" ]; }

# airflow_relocate_venv -- after the cache folder was moved (mv), point those paths at the new place
airflow_relocate_venv() {
  local old; old=$(venv_recorded_path) || return 0
  [ -n "$old" ] && [ "$old" != "$AIRFLOW_VENV" ] || return 0
  say "venv was moved from $old: rewriting the paths in $AIRFLOW_VENV/bin"
  { grep -rlF --binary-files=without-match "$old" "$AIRFLOW_VENV/bin" "$AIRFLOW_VENV/pyvenv.cfg" || true; } |
    while IFS= read -r f; do
      [ -L "$f" ] || sed -i "s#$old#$AIRFLOW_VENV#g" "$f"
    done
}

# "start" = migrate the metadata DB once per install (cheap to skip, ~6 s to run)
airflow_start() {
  local py; py=$(airflow_endpoint)
  if [ ! -f "$AIRFLOW_HOME/.migrated" ] || [ ! -f "$AIRFLOW_HOME/airflow.db" ]; then
    rotate_log airflow
    "$AIRFLOW_VENV/bin/python" -m airflow db migrate >> "$(log_file airflow)" 2>&1 \
      || { show_log_tail airflow 40; die "airflow db migrate failed"; }
    touch "$AIRFLOW_HOME/.migrated"
  fi
}

# airflow_probe [PYTHON] -- airflow imports and a DagBag can be built
# shellcheck disable=SC2120  # called as "${name}_probe" "$ext" by services.sh
airflow_probe() {
  local py="${1:-$(airflow_endpoint)}"
  [ -n "${1:-}" ] || [ -f "$AIRFLOW_HOME/.migrated" ] || return 1
  "$py" -W ignore -c 'import airflow, logging, tempfile; logging.disable(logging.CRITICAL)
from airflow.models import DagBag
DagBag(dag_folder=tempfile.mkdtemp()); print("airflow", airflow.__version__)' 2>/dev/null
}

airflow_wait() {
  airflow_probe >> "$(log_file airflow)" 2>&1 || { show_log_tail airflow 40; die "airflow DagBag import failed"; }
  files_key "$AIRFLOW_REQUIREMENTS" > "$AIRFLOW_HOME/.verified"
}

# airflow_ready_cached -- this install was already migrated and passed the DagBag probe (lets `up` skip
# the ~3-7 s Airflow import; `clean airflow` or a new requirements file forces a re-check)
airflow_ready_cached() {
  [ -x "$AIRFLOW_VENV/bin/airflow" ] && [ -f "$AIRFLOW_HOME/airflow.db" ] && [ -f "$AIRFLOW_HOME/.migrated" ] &&
    airflow_venv_current && airflow_cfg_current &&
    [ "$(cat "$AIRFLOW_HOME/.verified" 2>/dev/null)" = "$(files_key "$AIRFLOW_REQUIREMENTS")" ] &&
    stamp_ok airflow "$(files_key "$AIRFLOW_REQUIREMENTS")"
}
airflow_stop()  { say "nothing to stop (no daemon)"; }
airflow_clean() { rm -f "$AIRFLOW_HOME/airflow.db" "$AIRFLOW_HOME/.migrated" "$AIRFLOW_HOME/.verified"; }
airflow_info()  { echo "AIRFLOW_HOME=$AIRFLOW_HOME python=$(airflow_endpoint)"; }
