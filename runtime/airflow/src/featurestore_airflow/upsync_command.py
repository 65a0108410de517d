"""The `featurestore upsync` command-line contract, kept free of Airflow so it reads (and tests) alone.

    featurestore upsync --feature NS::NAME-vN [--feature ...] (--incremental | --full)
                        [--since ISO8601 --until ISO8601] [--generated DIR] [EXTRA_ARGS...] --json

--since/--until: the run's data interval in UTC, only when it is known and not empty.

Exit 0 = success and the last stdout line is one JSON object (the summary); any other exit code is
a failure, explained on stderr. Everything else on stdout/stderr is log text.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
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


def build_upsync_argv(
    featurestore_bin: str,
    features: Sequence[str],
    *,
    incremental: bool,
    since: Optional[datetime],
    until: Optional[datetime],
    generated_dir: Optional[str] = None,
    extra_args: Sequence[str] = (),
) -> list[str]:
    argv = [featurestore_bin, "upsync"]
    for name in features:
        argv += ["--feature", name]
    argv.append("--incremental" if incremental else "--full")
    # Airflow 3 gives manual runs no data interval, or an empty one (start == end); passing that
    # would make an incremental upsync copy nothing, so the window is then left to the CLI.
    if since is not None and until is not None and since < until:
        argv += ["--since", iso_utc(since), "--until", iso_utc(until)]
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
