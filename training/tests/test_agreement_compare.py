"""`python3 -m training.agreement --compare`: two engine runs of one generation (the static build's
WebGPU and WASM runs) agree when identical; a flip counts only when the reference's draw margin is a near-tie."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from training.agreement import NEAR_TIE_MARGIN, compare_runs, main

from .conftest import FIXTURE_DIR


def _case(tmp: Path, name: str, tokens: list[int]) -> Path:
    reference = json.loads((FIXTURE_DIR / "reference-samples.json").read_text())
    layout = reference["layouts"][0]
    case = next(c for c in layout["cases"] if c["name"] == "cached-stride2-topk8")
    run = {"width": layout["width"], "height": layout["height"], "labels": np.array(layout["labels"]).reshape(-1).tolist(),
           "seed": case["seeds"][0], "sampler": case["sampler"], "stride": case["stride"], "lead": None, "settings": case["settings"], "tokens": tokens}
    path = tmp / f"{name}.json"
    path.write_text(json.dumps(run))
    return path


def _reference_tokens() -> list[int]:
    reference = json.loads((FIXTURE_DIR / "reference-samples.json").read_text())
    case = next(c for c in reference["layouts"][0]["cases"] if c["name"] == "cached-stride2-topk8")
    return np.array(case["tokens"][0]).reshape(-1).tolist()


def test_identical_runs_agree_without_running_the_reference(tmp_path: Path) -> None:
    tokens = _reference_tokens()
    a, b = _case(tmp_path, "a", tokens), _case(tmp_path, "b", tokens)
    assert compare_runs(FIXTURE_DIR, a, b) == {"seed": 7, "sampler": "cached", "tokens": len(tokens), "identical": True, "agree": True}
    assert main(["--bundle", str(FIXTURE_DIR), "--compare", str(a), str(b)]) == 0


def test_a_flip_on_a_clear_draw_is_a_disagreement(tmp_path: Path) -> None:
    tokens = _reference_tokens()
    flipped = list(tokens)
    flipped[10] = (flipped[10] + 1) % 32
    verdict = compare_runs(FIXTURE_DIR, _case(tmp_path, "a", tokens), _case(tmp_path, "b", flipped))
    # The fixture's draws are kept at least MIN_MARGIN from their boundaries, so no flip here is a near-tie.
    assert verdict["identical"] is False and verdict["first_difference"] == 10
    assert verdict["min_margin"] >= NEAR_TIE_MARGIN and verdict["near_tie"] is False and verdict["agree"] is False
    assert verdict["reference_matches"] == "a" and verdict["reference_agrees_before_flip"] is True
