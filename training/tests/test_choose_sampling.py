"""The default temperature/top-k rule: best judge mIoU among settings that keep enough variety."""
from __future__ import annotations

import numpy as np
import pytest

from training.choose_sampling import choose, variety


def row(temperature: float, top_k: int, miou: float, var: float) -> dict:
    return {"temperature": temperature, "top_k": top_k, "miou": miou, "variety": var}


def test_best_miou_that_keeps_variety_wins() -> None:
    rows = [
        row(1.0, 100, 0.55, 0.20),  # the reference
        row(0.9, 30, 0.60, 0.18),
        row(0.7, 10, 0.66, 0.10),  # best mIoU, but the seeds look alike
    ]
    assert (choose(rows, 0.8)["temperature"], choose(rows, 0.8)["top_k"]) == (0.9, 30)
    assert choose(rows, 0.4)["top_k"] == 10
    assert choose(rows, 0.0)["miou"] == 0.66


def test_a_gain_within_the_noise_keeps_the_reference() -> None:
    rows = [row(1.0, 100, 0.516, 0.070), row(0.9, 20, 0.526, 0.062), row(0.7, 10, 0.524, 0.050)]
    assert choose(rows, 0.8)["top_k"] == 100  # +1 point is noise at 2 points' min_gain
    assert choose(rows, 0.8, min_gain=0.005)["top_k"] == 20
    assert choose(rows, 2.0)["top_k"] == 100  # nothing keeps enough variety: the reference stays


def test_reference_is_required() -> None:
    with pytest.raises(ValueError, match="reference"):
        choose([row(0.9, 30, 0.6, 0.2)], 0.8)


def test_variety_is_zero_for_identical_seeds_and_grows_with_difference() -> None:
    rng = np.random.default_rng(0)
    same = np.repeat(rng.integers(0, 256, size=(3, 1, 8, 8, 3), dtype=np.uint8), 2, axis=1)
    assert variety(same) == 0.0
    opposite = np.stack([np.zeros((3, 8, 8, 3), np.uint8), np.full((3, 8, 8, 3), 255, np.uint8)], axis=1)
    assert variety(opposite) == pytest.approx(1.0)


def test_one_seed_is_refused_before_any_generation(capsys: pytest.CaptureFixture[str]) -> None:
    from pathlib import Path

    from training.choose_sampling import main

    bundle = Path(__file__).resolve().parents[2] / "assets" / "models" / "tessera-landscapes-v1"
    with pytest.raises(SystemExit) as exit_info:
        main(["--bundle", str(bundle), "--seeds", "0"])
    assert exit_info.value.code == 2
    assert "--seeds needs at least two seeds" in capsys.readouterr().err
