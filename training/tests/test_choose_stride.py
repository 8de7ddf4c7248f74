"""The default-stride rule: the fastest cached stride within the tolerance of the exact mIoU."""
from __future__ import annotations

import json

import pytest
import shutil
from pathlib import Path

from training.bundle_manifest import validate_manifest
from training.choose_stride import choose, write_manifest_defaults, first_seam_free

FIXTURE = Path(__file__).resolve().parents[2] / "assets" / "fixtures" / "tessera-tiny"


def test_fastest_stride_within_tolerance_wins() -> None:
    rows = [
        {"sampler": "cached", "stride": 2, "miou": 0.80, "seconds": 40.0},
        {"sampler": "cached", "stride": 8, "miou": 0.785, "seconds": 12.0},
        {"sampler": "cached", "stride": 16, "miou": 0.70, "seconds": 9.0},  # fastest, but 10 points down
    ]
    assert choose(rows, exact_miou=0.80, tolerance=0.02)["stride"] == 8
    assert choose(rows, exact_miou=0.80, tolerance=0.2)["stride"] == 16
    assert choose(rows, exact_miou=0.95, tolerance=0.02) is None


def test_times_within_the_tie_go_to_the_largest_stride() -> None:
    # Measured on the default model 1.1.0 (4 layouts of 192 px): 1 s of 19 is run-to-run noise.
    rows = [
        {"sampler": "cached", "stride": 2, "miou": 0.709, "seconds": 19.5},
        {"sampler": "cached", "stride": 8, "miou": 0.718, "seconds": 18.0},
        {"sampler": "cached", "stride": 16, "miou": 0.709, "seconds": 19.0},
    ]
    assert choose(rows, exact_miou=0.713, tolerance=0.02)["stride"] == 16
    assert choose(rows, exact_miou=0.713, tolerance=0.02, time_tie=0.0)["stride"] == 8
    assert choose(rows, exact_miou=0.713, tolerance=0.001)["stride"] == 8  # only 8 is within 0.1 points


def test_write_manifest_default_keeps_a_valid_manifest(tmp_path: Path) -> None:
    bundle = tmp_path / "b"
    bundle.mkdir()
    shutil.copy(FIXTURE / "manifest.json", bundle / "manifest.json")
    write_manifest_defaults(bundle, {"sampler": "cached", "stride": 4})
    manifest = json.loads((bundle / "manifest.json").read_text())
    validate_manifest(manifest)
    assert manifest["defaults"]["sampler"] == "cached" and manifest["defaults"]["stride"] == 4
    assert [p.name for p in bundle.iterdir()] == ["manifest.json"]  # no temp file left behind


def test_a_stride_with_seams_is_not_eligible():
    rows = [
        {"sampler": "cached", "stride": 8, "miou": 0.79, "seconds": 10.0, "seam": 0.95},
        {"sampler": "cached", "stride": 16, "miou": 0.79, "seconds": 9.8, "seam": 1.4},
    ]
    assert choose(rows, exact_miou=0.80, tolerance=0.02)["stride"] == 16
    pick = lambda left: choose(left, exact_miou=0.80, tolerance=0.02)
    assert first_seam_free(rows, pick, lambda r: r["seam"], seam_limit=1.15)["stride"] == 8


def test_the_lead_follows_the_same_rule():
    from training.choose_stride import choose_lead

    rows = [
        {"sampler": "cached", "stride": 16, "miou": 0.79, "seconds": 9.0},
        {"sampler": "parallel", "stride": 1, "lead": 1, "miou": 0.70, "seconds": 3.0},  # fastest, 10 points down
        {"sampler": "parallel", "stride": 1, "lead": 2, "miou": 0.785, "seconds": 4.0},
        {"sampler": "parallel", "stride": 1, "lead": 4, "miou": 0.79, "seconds": 4.3},  # within the time tie: the larger lead
        {"sampler": "parallel", "stride": 1, "lead": 8, "miou": 0.80, "seconds": 7.0},
    ]
    assert choose_lead(rows, exact_miou=0.80, tolerance=0.02)["lead"] == 4
    assert choose_lead(rows, exact_miou=0.80, tolerance=0.02, time_tie=0.0)["lead"] == 2
    assert choose_lead(rows, exact_miou=0.80, tolerance=0.2)["lead"] == 1
    assert choose_lead(rows, exact_miou=0.90, tolerance=0.02) is None
    assert choose(rows, exact_miou=0.80, tolerance=0.02)["stride"] == 16  # the stride rule ignores parallel rows


def test_a_choice_with_seams_is_set_aside_and_the_next_one_checked():
    rows = [
        {"sampler": "cached", "stride": 8, "miou": 0.79, "seconds": 10.5},
        {"sampler": "cached", "stride": 16, "miou": 0.79, "seconds": 9.8},
        {"sampler": "cached", "stride": 4, "miou": 0.70, "seconds": 12.0},  # outside the mIoU rule: never measured
    ]
    seams = {16: 1.38, 8: 0.93, 4: 0.9}
    measured = []

    def seam_of(row):
        measured.append(row["stride"])
        return seams[row["stride"]]

    pick = lambda left: choose(left, exact_miou=0.80, tolerance=0.02)
    best = first_seam_free(rows, pick, seam_of, seam_limit=1.15)
    assert best["stride"] == 8 and best["seam"] == 0.93
    assert measured == [16, 8]
    assert first_seam_free(rows, pick, seam_of, seam_limit=None)["stride"] == 16
    seams[8] = 1.2
    assert first_seam_free(rows, pick, seam_of, seam_limit=1.15) is None


@pytest.mark.parametrize("argv, message", [
    (["--bundle", "/nonexistent"], "not a model bundle"),
    (["--bundle", "assets/models/tessera-landscapes-v1", "--seam-size", "100"], "wider than one window"),
    (["--bundle", "assets/models/tessera-landscapes-v1", "--seam-size", "516"], "multiple of 8"),
    (["--bundle", "assets/models/tessera-landscapes-v1", "--seam-limit", "-1"], "--seam-limit"),
])
def test_bad_arguments_are_refused_with_what_to_do(argv, message, capsys):
    from training.choose_stride import main
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
