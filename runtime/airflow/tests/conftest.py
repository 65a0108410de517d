"""A fake `featurestore` executable, so the operator's subprocess handling is tested for real
(argv, pipes, exit codes, signals) without Node or any store."""
from __future__ import annotations

import json
import stat
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

# Behaviour is picked by FAKE_MODE in the child's environment, which the tests set through the
# operator's `env` argument (so env merging is exercised too).
FAKE_CLI = textwrap.dedent(
    """\
    import json, os, sys, time
    mode = os.environ.get("FAKE_MODE", "ok")
    with open(os.environ["FAKE_ARGV_FILE"], "w") as f:
        json.dump(sys.argv[1:], f)
    print("upsync: reading offline rows", flush=True)
    print("progress 50%", file=sys.stderr, flush=True)
    features = [sys.argv[i + 1] for i, a in enumerate(sys.argv) if a == "--feature"]
    if mode == "ok":
        print(json.dumps({"ok": True, "features": [{"feature": f, "rowsRead": 42} for f in features], "totals": {"rowsRead": 42 * len(features)}}))
    elif mode == "fail":
        for i in range(1, 31):
            print(f"error line {i}", file=sys.stderr)
        print(json.dumps({"ok": False, "features": [], "totals": {"rowsRead": 7}}))
        sys.exit(3)
    elif mode == "not-ok":
        print(json.dumps({"ok": False, "features": [], "totals": {}}))
    elif mode == "no-json":
        print("done, but no summary")
    elif mode == "hang":
        print("started", flush=True)
        time.sleep(120)
    """
)


@dataclass(frozen=True)
class FakeCli:
    bin: str
    argv_file: str

    def argv(self) -> list[str]:
        """The arguments of the last run (without the program name)."""
        return json.loads(Path(self.argv_file).read_text())


@pytest.fixture
def fake_cli(tmp_path: Path) -> FakeCli:
    script = tmp_path / "featurestore"
    script.write_text(f"#!{sys.executable}\n{FAKE_CLI}")
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return FakeCli(bin=str(script), argv_file=str(tmp_path / "argv.json"))
