"""The `featurestore upsync` command-line contract, kept free of Airflow so it reads (and tests) alone.

    featurestore upsync --feature NS::NAME-vN [--feature ...]
                        (--incremental [--until ISO] | --full [--since ISO --until ISO])
                        [--shard I/N] [--generated DIR] [EXTRA_ARGS...] --json

Incremental: the CLI keeps its own durable watermark per feature and shard (and re-reads an overlap
for late rows), so the run only fixes the upper edge: --until = when this task instance started. Not
data_interval_end: a transform stamps its rows with CURRENT_TIMESTAMP() when it runs, which is after
the end of the run's interval (a scheduled run starts once its interval is over; a manual run's
interval ends when it is triggered, before its transforms run), so that edge would leave every row of
the run to the next run. Every upstream transform of the run has committed before this task starts
(DAG order), so the task's start is above all of them, and it stays fixed for the try while pages are
read. A retry starts later and reads further, which the watermark makes harmless. data_interval_start
is never sent as --since: it would override the watermark and skip the rows a failed earlier run left.
Full: the whole offline table; with --since/--until only for an explicit backfill of one interval.
--shard I/N: this task copies only the keys whose hash is I mod N (0 <= I < N); N tasks cover a table.

Exit 0 = success and the last stdout line is one JSON object (the summary: {ok, features, totals});
any other exit code is a failure (1: the run failed, 2: usage), explained on stderr, and the summary
is still printed when the CLI got that far. Everything else on stdout/stderr is log text.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Optional

# Same shape as the generator's feature names (`<namespace>::<name>-v<N>`, DESIGN.md "data model").
FEATURE_NAME_PATTERN = re.compile(r"^[a-z][a-z0-9-]*::[a-z][a-z0-9-]*-v[1-9][0-9]*$")


def _is_template(value: str) -> bool:
    # target_features is a template field: a Jinja string is only checkable after rendering.
    return "{{" in value or "{%" in value


def validate_feature_names(features: Any, *, allow_templates: bool) -> list[str]:
    """Returns the names as a list, or raises ValueError naming every bad entry."""
    if isinstance(features, str) or not isinstance(features, Iterable):
        raise ValueError(f"target_features must be a list of feature names, got {type(features).__name__}")
    names = list(features)
    if not names:
        raise ValueError("target_features must name at least one feature")
    problems = [
        repr(n)
        for n in names
        if not isinstance(n, str) or not (FEATURE_NAME_PATTERN.match(n) or (allow_templates and _is_template(n)))
    ]
    if problems:
        raise ValueError(
            f"invalid feature name(s) {', '.join(problems)} in target_features: "
            f"expected <namespace>::<name>-v<N> matching {FEATURE_NAME_PATTERN.pattern}"
        )
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"target_features lists {', '.join(duplicates)} more than once")
    return names


def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC with an explicit offset, so the Node CLI's Date parsing cannot shift it."""
    if moment.tzinfo is None:  # Airflow's data intervals are aware; a naive one is taken as UTC
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat()


SHARD_PATTERN = re.compile(r"^(0|[1-9][0-9]*)/([1-9][0-9]*)$")


def validate_shard(shard: Any, *, allow_templates: bool) -> Optional[str]:
    """None, or "I/N" with 0 <= I < N; raises ValueError otherwise (the CLI would exit 2 later)."""
    if shard is None:
        return None
    if not isinstance(shard, str):
        raise ValueError(f'shard must be a string "I/N" (0 <= I < N), got {type(shard).__name__} {shard!r}')
    if allow_templates and _is_template(shard):
        return shard
    match = SHARD_PATTERN.match(shard)
    if not match:
        raise ValueError(f'shard must be "I/N" with 0 <= I < N, e.g. "0/4"; got {shard!r}')
    index, count = int(match.group(1)), int(match.group(2))
    if index >= count:
        raise ValueError(f"shard {shard!r}: the index must be below the shard count ({count}), shards are numbered from 0")
    return shard


@dataclass(frozen=True)
class Window:
    """An explicit backfill interval [since, until) in full mode."""

    since: datetime
    until: datetime

    def __post_init__(self) -> None:
        if not _utc(self.since) < _utc(self.until):
            raise ValueError(f"a backfill window needs since < until, got {iso_utc(self.since)} .. {iso_utc(self.until)}")


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def parse_instant(value: Any, what: str) -> datetime:
    """An ISO 8601 instant from a run's conf (a string) or a datetime; naive values are UTC."""
    if isinstance(value, datetime):
        return _utc(value)
    if isinstance(value, str):
        try:
            return _utc(datetime.fromisoformat(value.replace("Z", "+00:00")))
        except ValueError:
            pass
    raise ValueError(f"{what} must be an ISO 8601 instant such as 2024-05-01T00:00:00Z, got {value!r}")


def backfill_window(
    conf: Optional[Mapping[str, Any]],
    run_type: Optional[str],
    start: Optional[datetime],
    end: Optional[datetime],
) -> Optional[Window]:
    """The explicit backfill a run asks for, else None (the run follows the feature's mode):
    `{"since": ISO, "until": ISO}` in the run's conf (`airflow dags trigger --conf`), or a run made
    by `airflow backfill` (run_type "backfill"), which copies its own data interval."""
    conf = conf or {}
    since, until = conf.get("since"), conf.get("until")
    if since is not None or until is not None:
        if since is None or until is None:
            raise ValueError('a backfill through the run\'s conf needs both "since" and "until" (ISO 8601, until exclusive)')
        return Window(parse_instant(since, 'conf "since"'), parse_instant(until, 'conf "until"'))
    if run_type == "backfill" and start is not None and end is not None and start < end:
        return Window(start, end)
    return None


def build_upsync_argv(
    featurestore_bin: str,
    features: Sequence[str],
    *,
    incremental: bool,
    until: Optional[datetime] = None,
    backfill: Optional[Window] = None,
    shard: Optional[str] = None,
    generated_dir: Optional[str] = None,
    extra_args: Sequence[str] = (),
) -> list[str]:
    """`until`: the task instance's start (incremental mode only; None when unknown, and the CLI then
    stops at its own start time). `backfill` makes the run a full copy of that window, whatever the
    feature's mode. `extra_args` come last, before --json (store flags, --consumer, ...)."""
    argv = [featurestore_bin, "upsync"]
    for name in features:
        argv += ["--feature", name]
    if backfill is not None:
        argv += ["--full", "--since", iso_utc(backfill.since), "--until", iso_utc(backfill.until)]
    elif incremental:
        argv.append("--incremental")
        if until is not None:
            argv += ["--until", iso_utc(until)]
    else:
        argv.append("--full")
    shard = validate_shard(shard, allow_templates=False)
    if shard is not None:
        argv += ["--shard", shard]
    if generated_dir:
        argv += ["--generated", generated_dir]
    argv += [str(a) for a in extra_args]
    argv.append("--json")
    return argv


def parse_summary(last_stdout_line: Optional[str]) -> dict[str, Any]:
    """The JSON summary; raises ValueError when the CLI broke the contract (no or non-object JSON)."""
    if not last_stdout_line:
        raise ValueError("printed nothing on stdout (expected a JSON summary as the last line)")
    try:
        summary = json.loads(last_stdout_line)
    except json.JSONDecodeError as e:
        raise ValueError(f"last stdout line is not JSON ({e.msg}): {last_stdout_line[:200]!r}") from None
    if not isinstance(summary, dict):
        raise ValueError(f"last stdout line is JSON but not an object: {last_stdout_line[:200]!r}")
    return summary
