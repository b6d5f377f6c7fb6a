"""Search relevance against the shared evaluation queries, at the bar the knowledge-base issue sets."""

import shutil
import subprocess
import sys
from pathlib import Path


def test_relevance_meets_the_bar(shared):
    hrfind = shutil.which("hrfind", path=str(Path(sys.executable).parent))
    assert hrfind, "the hrfind script is not installed beside this Python; run the README's install line"
    result = subprocess.run(
        [sys.executable, str(shared / "eval" / "relevance.py"), "--hrfind", hrfind, "--min-hit3", "0.96", "--min-mrr", "0.85"],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1].startswith("relevance: ")
