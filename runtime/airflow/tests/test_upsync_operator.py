from __future__ import annotations

import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

import pendulum
import pytest

from featurestore_airflow._compat import AirflowException
from featurestore_airflow.operators import FeatureStoreUpsyncOperator

if TYPE_CHECKING:
    from conftest import FakeCli

# Airflow's data interval, in a non-UTC zone to prove the CLI always gets UTC.
CONTEXT = {
    "data_interval_start": pendulum.datetime(2024, 5, 1, 9, 0, tz="Asia/Seoul"),
    "data_interval_end": pendulum.datetime(2024, 5, 1, 10, 0, tz="Asia/Seoul"),
    # the task instance started after its interval, as scheduled runs do
    "ti": SimpleNamespace(start_date=pendulum.datetime(2024, 5, 1, 10, 5, 30, tz="Asia/Seoul")),
}
FEATURES = ["azar-lounge::user-interaction-v1", "azar-lounge::user-stats-v12"]


def make(fake: FakeCli, mode: str = "ok", **kwargs) -> FeatureStoreUpsyncOperator:
    kwargs.setdefault("target_features", FEATURES)
    return FeatureStoreUpsyncOperator(
        task_id="featurestore_upsync",
        featurestore_bin=fake.bin,
        env={"FAKE_MODE": mode, "FAKE_ARGV_FILE": fake.argv_file},
        **kwargs,
    )


def test_incremental_sends_only_the_upper_edge_the_task_start(fake_cli):
    make(fake_cli).execute(CONTEXT)
    assert fake_cli.argv() == [
        "upsync",
        "--feature", "azar-lounge::user-interaction-v1",
        "--feature", "azar-lounge::user-stats-v12",
        "--incremental",
        "--until", "2024-05-01T01:05:30+00:00",
        "--json",
    ]


def test_full_mode_copies_the_whole_table_whatever_the_interval(fake_cli):
    make(fake_cli, incremental=False, generated_dir="/srv/generated", extra_args=["--batch-size", 500]).execute(CONTEXT)
    argv = fake_cli.argv()
    assert "--full" in argv and "--incremental" not in argv
    assert "--since" not in argv and "--until" not in argv
    assert argv[-5:] == ["--generated", "/srv/generated", "--batch-size", "500", "--json"]


@pytest.mark.parametrize(
    "context",
    [{}, {"ti": None}, {"ti": SimpleNamespace(start_date=None)}],
    ids=["absent", "none", "not-started"],
)
def test_without_a_task_start_the_upper_edge_is_left_to_the_cli(fake_cli, context):
    make(fake_cli).execute(context)
    assert "--until" not in fake_cli.argv() and "--since" not in fake_cli.argv()
    assert "--incremental" in fake_cli.argv()


def test_deployment_store_flags_come_from_the_environment_before_extra_args(fake_cli, monkeypatch):
    monkeypatch.setenv("FEATURESTORE_UPSYNC_ARGS", "--store cassandra --offline bigquery --generated '/srv/gen dir'")
    make(fake_cli, extra_args=["--consumer", "upsync-worker"]).execute(CONTEXT)
    assert fake_cli.argv()[-9:] == [
        "--store", "cassandra", "--offline", "bigquery", "--generated", "/srv/gen dir", "--consumer", "upsync-worker", "--json",
    ]


def test_unparsable_deployment_flags_fail_the_task_before_running_anything(fake_cli, monkeypatch):
    monkeypatch.setenv("FEATURESTORE_UPSYNC_ARGS", "--store 'sqlite:/x")
    with pytest.raises(AirflowException, match="FEATURESTORE_UPSYNC_ARGS"):
        make(fake_cli).execute(CONTEXT)
    assert not Path(fake_cli.argv_file).exists()


@pytest.mark.parametrize("incremental", [True, False])
def test_a_conf_window_is_a_full_backfill_of_that_window(fake_cli, incremental):
    run = SimpleNamespace(conf={"since": "2024-04-01T00:00:00Z", "until": "2024-04-02T09:00:00+09:00"}, run_type="manual")
    make(fake_cli, incremental=incremental).execute({**CONTEXT, "dag_run": run})
    argv = fake_cli.argv()
    assert argv[5:11] == ["--full", "--since", "2024-04-01T00:00:00+00:00", "--until", "2024-04-02T00:00:00+00:00", "--json"]
    assert "--incremental" not in argv


def test_an_airflow_backfill_run_copies_its_data_interval_in_full(fake_cli):
    make(fake_cli).execute({**CONTEXT, "dag_run": SimpleNamespace(conf={}, run_type="backfill")})
    assert fake_cli.argv()[5:10] == ["--full", "--since", "2024-05-01T00:00:00+00:00", "--until", "2024-05-01T01:00:00+00:00"]


def test_a_scheduled_run_with_an_unrelated_conf_follows_the_feature_mode(fake_cli):
    make(fake_cli).execute({**CONTEXT, "dag_run": SimpleNamespace(conf={"note": "x"}, run_type="scheduled")})
    assert fake_cli.argv()[5:8] == ["--incremental", "--until", "2024-05-01T01:05:30+00:00"]


@pytest.mark.parametrize(
    ("conf", "message"),
    [
        ({"since": "2024-04-01T00:00:00Z"}, "both"),
        ({"until": "2024-04-01T00:00:00Z"}, "both"),
        ({"since": "yesterday", "until": "2024-04-01T00:00:00Z"}, "ISO 8601"),
        ({"since": "2024-04-02T00:00:00Z", "until": "2024-04-01T00:00:00Z"}, "since < until"),
        ({"since": "2024-04-01T00:00:00Z", "until": "2024-04-01T00:00:00Z"}, "since < until"),
    ],
)
def test_a_bad_conf_window_fails_the_task_before_running_anything(fake_cli, conf, message):
    with pytest.raises(AirflowException, match=message):
        make(fake_cli).execute({**CONTEXT, "dag_run": SimpleNamespace(conf=conf, run_type="manual")})
    assert not Path(fake_cli.argv_file).exists()


def test_shard_is_passed_through(fake_cli):
    make(fake_cli, shard="3/4").execute(CONTEXT)
    assert fake_cli.argv()[-3:] == ["--shard", "3/4", "--json"]


@pytest.mark.parametrize("shard", ["4/4", "5/4", "-1/4", "1/0", "0/0", "01/4", "a/b", "1 / 4", "1/4/2", "", 3])
def test_invalid_shards_are_rejected_at_construction(shard):
    with pytest.raises(ValueError, match="shard"):
        FeatureStoreUpsyncOperator(task_id="t", target_features=FEATURES, shard=shard)


def test_a_templated_shard_is_checked_after_rendering(fake_cli):
    op = make(fake_cli, shard="{{ params.shard }}")
    op.shard = "2/2"  # what rendering produced
    with pytest.raises(AirflowException, match="below the shard count"):
        op.execute(CONTEXT)


def test_featurestore_bin_env_is_used_when_no_binary_is_given(fake_cli, monkeypatch):
    monkeypatch.setenv("FEATURESTORE_BIN", fake_cli.bin)
    op = FeatureStoreUpsyncOperator(
        task_id="t", target_features=FEATURES, env={"FAKE_MODE": "ok", "FAKE_ARGV_FILE": fake_cli.argv_file}
    )
    assert op.execute(CONTEXT)["ok"] is True


def test_an_explicit_featurestore_bin_beats_the_env(fake_cli, monkeypatch):
    monkeypatch.setenv("FEATURESTORE_BIN", "/nonexistent/featurestore")
    assert make(fake_cli).execute(CONTEXT)["ok"] is True


def test_returns_the_json_summary_and_streams_output_to_the_log(fake_cli, caplog, capsys):
    caplog.set_level("INFO")
    summary = make(fake_cli).execute(CONTEXT)
    assert summary == {"ok": True, "features": [{"feature": f, "rowsRead": 42} for f in FEATURES], "totals": {"rowsRead": 84}}
    # Airflow 2 logs through stdlib logging (caplog); Airflow 3's structlog prints to stdout (capsys).
    logged = caplog.text + capsys.readouterr().out
    assert "stdout: upsync: reading offline rows" in logged
    assert "stderr: progress 50%" in logged


def test_failure_raises_with_exit_code_and_stderr_tail(fake_cli):
    with pytest.raises(AirflowException) as failure:
        make(fake_cli, mode="fail").execute(CONTEXT)
    message = str(failure.value)
    assert "exit code 3" in message
    assert "error line 30" in message and "error line 11" in message
    assert "error line 10\n" not in message  # only the last STDERR_TAIL_LINES (20) lines


def test_failure_carries_the_summary_the_cli_printed(fake_cli):
    with pytest.raises(AirflowException, match=r'summary: \{"ok": false, "features": \[\], "totals": \{"rowsRead": 7\}\}'):
        make(fake_cli, mode="fail").execute(CONTEXT)


def test_exit_zero_with_a_summary_saying_not_ok_is_a_failure(fake_cli):
    with pytest.raises(AirflowException, match="ok: false"):
        make(fake_cli, mode="not-ok").execute(CONTEXT)


def test_exit_zero_without_a_json_summary_is_a_failure(fake_cli):
    with pytest.raises(AirflowException, match="not JSON"):
        make(fake_cli, mode="no-json").execute(CONTEXT)


def test_missing_binary_says_how_to_fix_it(tmp_path):
    op = FeatureStoreUpsyncOperator(task_id="t", target_features=FEATURES, featurestore_bin=str(tmp_path / "nope"))
    with pytest.raises(AirflowException, match="FEATURESTORE_BIN"):
        op.execute(CONTEXT)


def test_on_kill_terminates_the_child(fake_cli):
    op = make(fake_cli, mode="hang")

    # execute stays on the main thread (Airflow 2's ExecutorSafeguard is thread-local); on_kill
    # comes from another thread once the child runs, as Airflow's SIGTERM handler would call it.
    def kill_when_started() -> None:
        deadline = time.monotonic() + 10
        while op._process is None and time.monotonic() < deadline:
            time.sleep(0.05)
        op.on_kill()

    killer = threading.Thread(target=kill_when_started, daemon=True)
    killer.start()
    started = time.monotonic()
    with pytest.raises(AirflowException, match="SIGTERM"):
        op.execute(CONTEXT)
    assert time.monotonic() - started < 10  # the fake would sleep 120 s
    killer.join(timeout=5)


@pytest.mark.parametrize(
    "features",
    [
        [],
        "azar-lounge::user-stats-v1",  # a bare string, not a list
        ["azar-lounge::user-stats"],  # no version
        ["azar-lounge::user-stats-v0"],
        ["Azar::user-stats-v1"],
        ["azar-lounge:user-stats-v1"],
        ["azar_lounge::user-stats-v1"],
        ["azar-lounge::user-stats-v1", "azar-lounge::user-stats-v1"],  # duplicate
    ],
)
def test_invalid_target_features_are_rejected_at_construction(features):
    with pytest.raises(ValueError):
        FeatureStoreUpsyncOperator(task_id="t", target_features=features)


def test_templated_names_are_checked_after_rendering(fake_cli):
    op = make(fake_cli, target_features=["{{ params.feature }}"])  # accepted: not rendered yet
    op.target_features = ["not a feature"]  # what rendering produced
    with pytest.raises(AirflowException, match="invalid feature name"):
        op.execute(CONTEXT)
