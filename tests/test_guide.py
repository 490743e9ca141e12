"""docs/GUIDE.md's commands run: tools/check_guide.py runs every block on a short horizon."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tools"))

import check_guide  # noqa: E402


def test_rewrite_table_shortens_each_command():
    assert check_guide.shorten("run scenarios/baseline.yaml --until 2024-06-30 --out r") == (
        "run scenarios/baseline.yaml --out r --weeks 4"
    )
    assert check_guide.shorten("sweep s.yaml --workers 2").endswith(
        "--workers 1 --set end=2022-01-29 --set spin_up_from=null"
    )
    assert check_guide.shorten("hindcast h.yaml --seeds 20 --workers 2") == "hindcast h.yaml --seeds 2 --workers 1"
    assert check_guide.shorten("compare a.yaml b.yaml c.yaml --seeds 20 --workers 2 --out r") == (
        "compare a.yaml b.yaml --out r --seeds 2 --workers 1"
    )
    assert check_guide.shorten("report results/x --area ML") == "report results/x --area ML"
    body = 'F=$(python -m sahel_sim run a.yaml \\\n    --quiet)\npython -m sahel_sim viz --run "$F"\n'
    assert (
        check_guide.rewrite(body)
        == 'F=$(python -m sahel_sim run a.yaml --quiet --weeks 4)\npython -m sahel_sim viz --run "$F"\n'
    )


def test_skip_marker_and_languages():
    text = "a\n<!-- guide-check: skip: a server -->\n```bash\npython -m sahel_sim viz\n```\n\n```python\nx = 1\n```\n"
    assert [(lang, skipped) for lang, _, _, skipped in check_guide.blocks(text)] == [("bash", True), ("python", False)]


@pytest.mark.slow  # every block of the guide end to end (minutes of CPU); the rewrite rules are tested above
@pytest.mark.skipif(not check_guide.GUIDE.is_file(), reason="no docs/GUIDE.md")
def test_every_command_of_the_guide_runs(tmp_path):
    proc = subprocess.run(
        [sys.executable, str(REPO / "tools" / "check_guide.py"), "--keep", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "blocks ran" in proc.stdout
