"""Golden files: compare output with tests/fixtures/golden/NAME; HRFIND_UPDATE_GOLDEN=1 rewrites them."""

import os
from pathlib import Path

GOLDEN = Path(__file__).parent / "fixtures" / "golden"


def check(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("HRFIND_UPDATE_GOLDEN") == "1":
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"no golden file {path}; run with HRFIND_UPDATE_GOLDEN=1 to create it"
    assert actual == path.read_text(encoding="utf-8"), f"output differs from {path}"
