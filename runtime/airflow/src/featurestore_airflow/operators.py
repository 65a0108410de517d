"""FeatureStoreUpsyncOperator: the last task of every generated upsync DAG (generated/airflow/*.py).

It shells out to the `featurestore` CLI instead of talking to the stores itself, so the Node
runtime stays the single implementation of upsync (DESIGN.md: logic lives in runtime/, once).
The command line it runs is documented in upsync_command.py.
"""
from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import threading
from collections import deque
from collections.abc import Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any, Optional

from featurestore_airflow._compat import AirflowException, BaseOperator
from featurestore_airflow.upsync_command import (
    backfill_window,
    build_upsync_argv,
    parse_summary,
    validate_feature_names,
    validate_shard,
)

if TYPE_CHECKING:
    from airflow.sdk import Context

__all__ = ["FeatureStoreUpsyncOperator"]


class FeatureStoreUpsyncOperator(BaseOperator):
    """Copies the rows of `target_features` written since the last run from the offline store to the
    online store by running `featurestore upsync ... --json`; returns the CLI's JSON summary (XCom).

    incremental: --incremental --until <this task instance's start> (the CLI keeps the watermark; see
    upsync_command.py for why not data_interval_end), else --full.
    A run whose conf holds {"since": ISO, "until": ISO}, or an `airflow backfill` run, is a full copy
    of that window instead (--full --since --until).
    shard: "I/N" (0 <= I < N) runs --shard I/N; the generated DAGs map it over range(N) with
    `.partial(...).expand(shard=[...])` when the feature sets `upsync.shards`.

    featurestore_bin: explicit value, else $FEATURESTORE_BIN of the task's environment, else
    "featurestore" on PATH. Resolved when the task runs, because the worker's environment (not the
    DAG processor's) decides where the CLI is installed.
    env: added to the worker's environment (the CLI needs PATH and the store credentials from it).
    extra_args: appended to the command line after $FEATURESTORE_UPSYNC_ARGS of the worker's
    environment (shell-style words), which is where a deployment puts the store flags every upsync
    needs (--store cassandra --offline bigquery --redis URL --generated DIR --config FILE): they
    belong to the workers, not to the generated DAGs.
    """

    template_fields: Sequence[str] = ("target_features", "shard", "featurestore_bin", "generated_dir", "extra_args", "env")
    ui_color = "#d5f5e3"

    STDERR_TAIL_LINES = 20  # how much of stderr the failure message carries
    TERMINATE_GRACE_SECONDS = 10.0  # SIGTERM, then SIGKILL: lets the CLI finish a batch and close stores

    def __init__(
        self,
        *,
        target_features: list[str],
        incremental: bool = True,
        shard: Optional[str] = None,
        featurestore_bin: Optional[str] = None,
        generated_dir: Optional[str] = None,
        extra_args: Sequence[str] = (),
        env: Optional[Mapping[str, str]] = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        # Checked here so a typo fails the DAG import (visible in DagBag errors), not a 3 a.m. run.
        self.target_features = validate_feature_names(target_features, allow_templates=True)
        if not isinstance(incremental, bool):
            raise ValueError(f"incremental must be True or False, got {incremental!r}")
        self.incremental = incremental
        self.shard = validate_shard(shard, allow_templates=True)
        self.featurestore_bin = featurestore_bin
        self.generated_dir = generated_dir
        self.extra_args = [str(a) for a in extra_args]
        self.env = dict(env or {})
        self._process: Optional[subprocess.Popen[str]] = None

    def execute(self, context: Context) -> dict[str, Any]:
        try:  # again after Jinja rendering
            features = validate_feature_names(self.target_features, allow_templates=False)
            shard = validate_shard(self.shard, allow_templates=False)
            dag_run = context.get("dag_run")
            backfill = backfill_window(
                getattr(dag_run, "conf", None),
                getattr(dag_run, "run_type", None),
                context.get("data_interval_start"),
                context.get("data_interval_end"),
            )
        except ValueError as e:
            raise AirflowException(str(e)) from None
        child_env = {**os.environ, **{k: str(v) for k, v in self.env.items()}}
        binary = self.featurestore_bin or child_env.get("FEATURESTORE_BIN") or "featurestore"
        try:
            deployment_args = shlex.split(child_env.get("FEATURESTORE_UPSYNC_ARGS", ""))
        except ValueError as e:
            raise AirflowException(f"FEATURESTORE_UPSYNC_ARGS is not valid shell words: {e}") from None
        ti = context.get("ti")
        argv = build_upsync_argv(
            binary,
            features,
            incremental=self.incremental,
            until=getattr(ti, "start_date", None),
            backfill=backfill,
            shard=shard,
            generated_dir=self.generated_dir,
            extra_args=[*deployment_args, *self.extra_args],
        )
        self.log.info("Running: %s", shlex.join(argv))
        returncode, last_stdout, stderr_tail = self._run(argv, child_env)
        if returncode != 0:
            how = f"was killed by {signal.Signals(-returncode).name}" if returncode < 0 else f"failed with exit code {returncode}"
            tail = "\n".join(stderr_tail) or "(stderr was empty)"
            try:  # a failed run still prints its summary (what was written before the failure)
                summary = f"\nsummary: {json.dumps(parse_summary(last_stdout))}"
            except ValueError:
                summary = ""
            raise AirflowException(f"featurestore upsync {how}{summary}\nlast stderr lines:\n{tail}")
        try:
            summary_obj = parse_summary(last_stdout)
        except ValueError as e:
            raise AirflowException(f"featurestore upsync exited 0 but {e}") from None
        if summary_obj.get("ok") is False:
            raise AirflowException(f"featurestore upsync exited 0 but its summary says ok: false: {json.dumps(summary_obj)}")
        self.log.info("Upsync summary: %s", json.dumps(summary_obj))
        return summary_obj

    def _run(self, argv: list[str], env: dict[str, str]) -> tuple[int, Optional[str], list[str]]:
        try:
            # A new session makes the CLI the leader of its own process group, so on_kill can signal
            # whatever it spawns (node loaders, workers) without touching the Airflow task process.
            process = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                env=env, text=True, errors="replace", bufsize=1, start_new_session=True,
            )
        except OSError as e:
            raise AirflowException(
                f"cannot start {argv[0]!r}: {e}. Install the featurestore CLI on the worker or set FEATURESTORE_BIN"
            ) from e
        self._process = process
        stderr_tail: deque[str] = deque(maxlen=self.STDERR_TAIL_LINES)
        # stderr is drained on a thread: reading one pipe to the end while the other fills up deadlocks.
        pump = threading.Thread(target=self._pump_stderr, args=(process.stderr, stderr_tail), daemon=True)
        pump.start()
        last_stdout: Optional[str] = None
        assert process.stdout is not None
        for raw in process.stdout:
            line = raw.rstrip("\r\n")
            self.log.info("stdout: %s", line)
            if line.strip():
                last_stdout = line
        returncode = process.wait()
        pump.join()
        self._process = None
        return returncode, last_stdout, list(stderr_tail)

    def _pump_stderr(self, stream: Optional[IO[str]], tail: deque[str]) -> None:
        assert stream is not None
        for raw in stream:
            line = raw.rstrip("\r\n")
            self.log.info("stderr: %s", line)
            tail.append(line)

    def on_kill(self) -> None:
        process = self._process
        if process is None or process.poll() is not None:
            return
        self.log.info("Terminating featurestore upsync (pid %s) and its process group", process.pid)
        _signal_group(process, signal.SIGTERM)
        try:
            process.wait(timeout=self.TERMINATE_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            self.log.warning("featurestore upsync ignored SIGTERM for %ss; sending SIGKILL", self.TERMINATE_GRACE_SECONDS)
            _signal_group(process, signal.SIGKILL)
            process.wait()


def _signal_group(process: subprocess.Popen[str], sig: signal.Signals) -> None:
    try:
        os.killpg(process.pid, sig)  # pgid == pid thanks to start_new_session
    except ProcessLookupError:
        pass  # already gone
