"""training.engine_cli: the evaluation's images come from Tessera's engine, and they are the images
of the tokens the Python reference sampler draws (the fixture's recorded cases)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from training.bundle_writer import load_bundle_models
from training.engine_cli import EngineSettings, engine_available, generate
from training.evaluate import decode_tokens

FIXTURE = Path(__file__).resolve().parents[2] / "assets" / "fixtures" / "tessera-tiny"

pytestmark = pytest.mark.skipif(not engine_available(), reason="node_modules missing (run npm ci): the engine cannot run")


@pytest.mark.parametrize("case_name", ["exact-topk8", "cached-stride2-topk8"])
def test_engine_images_decode_the_reference_tokens(case_name: str) -> None:
    models, manifest = load_bundle_models(FIXTURE)
    layout = json.loads((FIXTURE / "reference-samples.json").read_text())["layouts"][0]
    case = next(c for c in layout["cases"] if c["name"] == case_name)
    s = case["settings"]
    settings = EngineSettings(case["sampler"], case["stride"] if case["sampler"] == "cached" else None, s["temperature"], s["topK"], s["topP"])
    labels = np.array(layout["labels"], dtype=np.uint8)[None]
    images, seconds = generate(FIXTURE, labels, manifest["classes"], case["seeds"], settings)
    assert images.shape == (1, len(case["seeds"]), layout["height"], layout["width"], 3) and seconds > 0
    expected = decode_tokens(models.image_vqgan, np.array(case["tokens"]), "fp32")
    # Same tokens, so the same picture: only fp32 arithmetic order differs (ONNX vs PyTorch).
    assert np.abs(images[0].astype(int) - expected.astype(int)).max() <= 1
    assert not np.array_equal(images[0, 0], images[0, 1])  # each seed its own image


def test_engine_errors_are_reported() -> None:
    labels = np.full((1, 20, 20), 0, dtype=np.uint8)  # 20 px is not a multiple of the grid factor 8
    _, manifest = load_bundle_models(FIXTURE)
    with pytest.raises(RuntimeError, match="tessera batch failed"):
        generate(FIXTURE, labels, manifest["classes"], [0], EngineSettings())


def test_agreement_report_on_the_fixture(tmp_path: Path) -> None:
    from training import agreement

    layout = Path(__file__).resolve().parents[2] / "tests" / "engine" / "fixtures" / "stripes-48x56.png"
    out = tmp_path / "agreement.json"
    assert agreement.main(["--bundle", str(FIXTURE), "--layout", str(layout), "--seeds", "1-2", "--threads", "1", "--out", str(out)]) == 0
    report = json.loads(out.read_text())
    # The fixture's logits are decisive (tested bit-exact elsewhere): both seeds agree on every token.
    assert report["sampler"] == "cached" and report["stride"] == 2
    assert report["identical_grids"] == 2 and report["mean_share_before_first_difference"] == 1.0
    assert agreement.parse_seeds("0-2,7") == [0, 1, 2, 7]


def test_queue_runs_jobs_one_after_another_and_close_stops_the_rest() -> None:
    from training.engine_cli import EngineQueue

    _, manifest = load_bundle_models(FIXTURE)
    layout = json.loads((FIXTURE / "reference-samples.json").read_text())["layouts"][0]
    labels = np.array(layout["labels"], dtype=np.uint8)[None]
    with EngineQueue() as queue:
        first = queue.submit(FIXTURE, labels, manifest["classes"], [0], EngineSettings(), threads=1)
        second = queue.submit(FIXTURE, labels, manifest["classes"], [0, 1], EngineSettings(), threads=1)
        a, _ = first.result(timeout=120)
        b, _ = second.result(timeout=120)
    assert a.shape[1] == 1 and b.shape[1] == 2
    assert np.array_equal(a[0, 0], b[0, 0])  # seed 0 is seed 0, whichever run made it

    queue = EngineQueue()
    running = queue.submit(FIXTURE, np.repeat(labels, 40, axis=0), manifest["classes"], list(range(8)), EngineSettings(sampler="exact"), threads=1)
    queued = queue.submit(FIXTURE, labels, manifest["classes"], [0], EngineSettings(), threads=1)
    queue.close()
    with pytest.raises(Exception):
        running.result(timeout=60)  # killed, not left to finish
    assert queued.cancelled()


def test_engine_children_do_not_inherit_the_training_allocator() -> None:
    from training.cpu_setup import JEMALLOC, RETAIN_CONF, without_jemalloc

    env = without_jemalloc({"LD_PRELOAD": f"{JEMALLOC} /opt/other.so", "MALLOC_CONF": RETAIN_CONF, "PATH": "/bin"})
    assert env == {"LD_PRELOAD": "/opt/other.so", "PATH": "/bin"}
    assert without_jemalloc({"LD_PRELOAD": JEMALLOC, "MALLOC_CONF": "narenas:2"}) == {"MALLOC_CONF": "narenas:2"}  # someone else's setting stays
