import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from training.data import generate
from training.data.classes import CLASSES
from training.data.dataset_files import load_dataset
from training.data.render import RENDERER_VERSION, render_scene

REPO = Path(__file__).resolve().parents[3]


def run_cli(*args: str) -> int:
    return generate.main(["--quiet", *args])


def test_writes_dataset_examples_and_preview(tmp_path):
    out, examples, preview = tmp_path / "ds", tmp_path / "ex", tmp_path / "preview.png"
    code = run_cli(
        "--out", str(out), "--count", "3", "--seed-start", "10000000", "--size", "64x48", "--workers", "1",
        "--examples", str(examples), "--example-count", "2", "--preview", str(preview),
    )  # fmt: skip
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == ["images.npy", "labels.npy", "meta.json"]  # no temp files left

    images, labels, meta = load_dataset(out)
    assert images.shape == (3, 48, 64, 3) and images.dtype == np.uint8
    assert labels.shape == (3, 48, 64) and labels.dtype == np.uint8
    assert meta["seeds"] == [10_000_000, 10_000_001, 10_000_002]
    assert (meta["width"], meta["height"], meta["size"]) == (64, 48, "64x48")
    assert meta["classes"] == CLASSES
    assert meta["renderer_version"] == RENDERER_VERSION
    assert meta["split"] == "heldout"
    image, label = render_scene(10_000_001, 64, 48)
    assert np.array_equal(images[1], image) and np.array_equal(labels[1], label)

    names = sorted(p.name for p in examples.iterdir())
    assert names == [f"{s:08d}_{kind}.png" for s in (10_000_000, 10_000_001) for kind in ("image", "labels", "labels_color")]
    index_png = Image.open(examples / "10000001_labels.png")
    assert index_png.mode == "L"  # one byte per pixel holding the class id (taming's format)
    assert np.array_equal(np.asarray(index_png), label)
    assert np.array_equal(np.asarray(Image.open(examples / "10000001_image.png").convert("RGB")), image)

    grid = Image.open(preview)
    assert grid.mode == "RGB" and grid.width > 3 * 2 * 64 and grid.height > 48


def test_real_command_line_with_two_workers(tmp_path):
    out = tmp_path / "ds"
    result = subprocess.run(
        [sys.executable, "-m", "training.data.generate", "--out", str(out), "--count", "4", "--seed-start", "7",
         "--size", "48x32", "--workers", "2"],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "scenes/s" in result.stderr
    meta = json.loads((out / "meta.json").read_text())
    assert meta["seeds"] == [7, 8, 9, 10] and meta["split"] == "train"
    images = np.load(out / "images.npy")
    assert np.array_equal(images[3], render_scene(10, 48, 32)[0])


@pytest.mark.parametrize(
    "args, message",
    [
        (["--size", "256"], "expected WIDTHxHEIGHT"),
        (["--size", "axb"], "expected WIDTHxHEIGHT"),
        (["--size", "0x256"], "between"),
        (["--size", "256x-4"], "expected WIDTHxHEIGHT"),
        (["--count", "0"], "--count must be a positive"),
        (["--count", "-5"], "--count must be a positive"),
        (["--seed-start", "-1"], "--seed-start must be >= 0"),
        (["--workers", "0"], "--workers must be at least 1"),
    ],
)
def test_bad_input_gives_clear_errors(tmp_path, capsys, args, message):
    base = {"--out": str(tmp_path / "ds"), "--count": "2", "--size": "32x32"}
    for flag, value in zip(args[::2], args[1::2]):
        base[flag] = value
    argv = [item for pair in base.items() for item in pair]
    with pytest.raises(SystemExit) as exc:
        run_cli(*argv)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "ds").exists()


def test_refuses_non_empty_output_unless_forced(tmp_path, capsys):
    out = tmp_path / "ds"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    with pytest.raises(SystemExit) as exc:
        run_cli("--out", str(out), "--count", "1", "--size", "32x32")
    assert exc.value.code == 2
    assert "not empty" in capsys.readouterr().err
    assert not (out / "images.npy").exists()

    assert run_cli("--out", str(out), "--count", "1", "--size", "32x32", "--force") == 0
    assert np.load(out / "images.npy").shape == (1, 32, 32, 3)


def test_count_required_with_out_and_something_to_do(tmp_path, capsys):
    with pytest.raises(SystemExit):
        run_cli("--out", str(tmp_path / "ds"))
    assert "--count is required" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        run_cli("--count", "3")
    assert "nothing to do" in capsys.readouterr().err


def test_preview_alone_renders_sixteen_scenes(tmp_path):
    preview = tmp_path / "p.png"
    assert run_cli("--preview", str(preview), "--size", "32x32", "--workers", "1") == 0
    grid = np.asarray(Image.open(preview))
    assert grid.shape[0] > 4 * 32 and grid.shape[1] > 4 * 2 * 32


def test_seed_convention_constants():
    assert generate.TRAIN_SEED_START == 0
    assert generate.HELDOUT_SEED_START == 10_000_000
    assert generate.TRAIN_SEED_END <= generate.HELDOUT_SEED_START
    assert generate.seed_split(0, 1000) == "train"
    assert generate.seed_split(10_000_000, 5) == "heldout"
    assert generate.seed_split(999_999, 2) == "custom"
