"""Every shell script of the repo parses. The training pipelines run for hours, and a stage that
only one command line reaches (an export after a GPU run, say) can carry a syntax error for
sessions: bash reads each `if` block only when it gets there."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = sorted({*ROOT.glob("training/*.sh"), *ROOT.glob("scripts/*.sh"), *ROOT.glob("build/*.sh"), *ROOT.glob("bench/*.sh"), ROOT / ".ci/run"})


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_script_parses(script: Path) -> None:
    result = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_scripts_are_found() -> None:
    assert ROOT / "training/train_default_model_v2.sh" in SCRIPTS and ROOT / "bench/gpu-check.sh" in SCRIPTS and len(SCRIPTS) >= 5
