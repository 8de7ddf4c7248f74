"""evaluate --layout-set: layout fidelity on the procedural and/or the painted held-out layouts."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from training import evaluate
from training.data.painted_heldout import square_seeds
from training.data.seeds import PAINTED_HELDOUT_SEED_START

FIXTURE = Path(__file__).resolve().parents[2] / "assets" / "fixtures" / "tessera-tiny"
FIXTURE_CLASSES = 5  # the fixture bundle's seg VQGAN takes 5 classes; layouts are folded into them


@pytest.fixture()
def fixture_evaluate(monkeypatch):
    """evaluate.main on the tiny fixture bundle. It measures the 11 landscape classes, so it
    refuses the 5-class fixture; here it gets the fixture's models and every layout (procedural
    and painted) folded into 5 classes, which is all the wiring needs."""
    from training.bundle_writer import load_bundle_models

    def load_models(args):
        models, manifest = load_bundle_models(FIXTURE)
        return evaluate.Models(models.image_vqgan, models.seg_vqgan, models.gpt, models.window, manifest)

    real_render_pool, real_painted_pool = evaluate.render_pool, evaluate.painted_fidelity_pool
    calls: dict[str, list] = {"painted": []}

    def render_pool(seed_start, count, size, cache):
        images, labels = real_render_pool(seed_start, count, size, None, workers=1)
        return images, labels % FIXTURE_CLASSES

    def painted_pool(count, size, renders=True):
        calls["painted"].append((count, size))
        labels, images, seeds = real_painted_pool(count, size, renders)
        return labels % FIXTURE_CLASSES, images, seeds

    monkeypatch.setattr(evaluate, "load_models", load_models)
    monkeypatch.setattr(evaluate, "render_pool", render_pool)
    monkeypatch.setattr(evaluate, "painted_fidelity_pool", painted_pool)

    def run(tmp_path: Path, *extra: str) -> dict:
        out = tmp_path / "metrics.json"
        argv = ["--bundle", str(FIXTURE), "--runtime", "torch", "--precision", "fp32", "--threads", "1",
                "--size", "32", "--fidelity-size", "32", "--scenes", "2", "--judge-scenes", "2", "--layouts", "2",
                "--exact-layouts", "1", "--batch", "2", "--skip", "vqgan,seg,gpt", "--out", str(out), *extra]
        assert evaluate.main(argv) == 0
        return json.loads(out.read_text())

    run.calls = calls
    return run


@pytest.mark.skipif(not (FIXTURE / "torch-weights.pt").is_file(), reason="fixture bundle missing")
def test_both_sets_are_reported_side_by_side(fixture_evaluate, tmp_path: Path) -> None:
    got = fixture_evaluate(tmp_path, "--layout-set", "both")
    procedural, painted = got["layout_fidelity"], got["layout_fidelity_painted"]
    for section in (procedural, painted):
        assert section["size"] == "32x32"
        assert section["cached"]["layouts"] == 2 and section["exact"]["layouts"] == 1
        assert 0 <= section["cached"]["miou"] <= 1
    assert fixture_evaluate.calls["painted"] == [(2, 32)]  # the same --layouts count and --fidelity-size
    assert painted["seed_start"] == PAINTED_HELDOUT_SEED_START
    assert painted["seeds"] == f"{square_seeds(2)[0]}..{square_seeds(2)[-1]}"
    assert "drawn at 32 px" in painted["layouts"]
    # The judge learnt from procedural renders only: its mIoU on the painted renders comes with them.
    judge = painted["judge_on_renders"]
    assert judge["scenes"] == 2 and isinstance(judge["trusted"], bool)
    assert "judge_on_renders" not in procedural
    assert {"fidelity_cached", "fidelity_cached_painted", "fidelity_exact_painted"} <= set(got["seconds"])


@pytest.mark.skipif(not (FIXTURE / "torch-weights.pt").is_file(), reason="fixture bundle missing")
@pytest.mark.parametrize("layout_set, present, absent", [
    ("painted", "layout_fidelity_painted", "layout_fidelity"),
    ("procedural", "layout_fidelity", "layout_fidelity_painted"),
    (None, "layout_fidelity", "layout_fidelity_painted"),  # the default: what evaluate always measured
])
def test_one_set_alone(fixture_evaluate, tmp_path: Path, layout_set: str | None, present: str, absent: str) -> None:
    got = fixture_evaluate(tmp_path, *(["--layout-set", layout_set] if layout_set else []), "--exact-layouts", "0")
    assert present in got and absent not in got
    assert fixture_evaluate.calls["painted"] == ([(2, 32)] if layout_set == "painted" else [])


def test_unknown_sets_are_refused(capsys) -> None:
    with pytest.raises(SystemExit):
        evaluate.main(["--bundle", str(FIXTURE), "--layout-set", "handmade"])
    assert "invalid choice: 'handmade'" in capsys.readouterr().err
    with pytest.raises(ValueError, match="unknown layout set 'handmade'"):
        evaluate.fidelity_layouts("handmade", 2, 32, (np.zeros((2, 32, 32, 3), np.uint8), np.zeros((2, 32, 32), np.uint8)))
    procedural = (np.zeros((3, 32, 32, 3), np.uint8), np.ones((3, 32, 32), np.uint8))
    sets = evaluate.fidelity_layouts("procedural", 2, 32, procedural)
    assert list(sets) == ["procedural"] and len(sets["procedural"]["labels"]) == 2


@pytest.mark.skipif(not (FIXTURE / "torch-weights.pt").is_file(), reason="fixture bundle missing")
def test_a_judge_trained_with_painted_renders_is_used_with_judge(fixture_evaluate, tmp_path: Path) -> None:
    """`--judge PATH` scores with another weights file (judge v3 learnt from painted renders too);
    the default stays judge v2 until a full re-evaluation."""
    from training import judge as judge_mod
    from training.judge import confusion, iou_report, load_judge, segment

    weights = tmp_path / "judge-v3.pt"
    judge_mod.main(["train", "--out", str(tmp_path / "judge-run"), "--export", str(weights), "--steps", "1", "--pool", "5",
                    "--sizes", "32", "--crop", "32", "--batch", "2", "--eval-count", "1", "--painted-eval-count", "1",
                    "--eval-every", "0", "--threads", "1", "--precision", "fp32", "--painted-share", "0.4"])
    assert evaluate.JUDGE_WEIGHTS.name == "judge-v2.pt"
    got = fixture_evaluate(tmp_path, "--layout-set", "painted", "--exact-layouts", "0", "--judge", str(weights))
    assert got["judge"]["weights"] == str(weights)
    labels, renders, _ = evaluate.painted_fidelity_pool(2, 32)
    expected = iou_report(confusion(segment(load_judge(weights), renders, batch=1), labels % FIXTURE_CLASSES))
    assert got["layout_fidelity_painted"]["judge_on_renders"]["miou"] == expected["miou"]


def test_the_grid_takes_three_painted_rows_when_the_painted_set_is_measured_at_its_size() -> None:
    procedural = np.zeros((10, 32, 32), dtype=np.uint8)
    painted = np.ones((4, 32, 32), dtype=np.uint8)
    rows, n_painted = evaluate.grid_rows(procedural, {"painted": {"labels": painted}}, 32)
    assert n_painted == 3 and rows.shape == (6, 32, 32)
    assert (rows[:3] == 0).all() and (rows[3:] == 1).all()
    # Procedural only, or painted layouts of another size than the grid's: the first 6 procedural.
    for sets, size in (({}, 32), ({"painted": {"labels": np.ones((4, 16, 16), dtype=np.uint8)}}, 32)):
        rows, n_painted = evaluate.grid_rows(procedural, sets, size)
        assert n_painted == 0 and (rows == 0).all() and len(rows) == 6


@pytest.mark.skipif(not (FIXTURE / "torch-weights.pt").is_file(), reason="fixture bundle missing")
def test_the_model_sampler_is_the_bundles_default(fixture_evaluate, tmp_path: Path) -> None:
    # The fixture's default sampler is cached, so "model" means cached here, which the PyTorch
    # runtime can run (a parallel default needs the engine: evaluate refuses it without one).
    got = fixture_evaluate(tmp_path, "--fidelity-sampler", "model")
    assert got["layout_fidelity"]["cached"]["sampler"] == "cached"
