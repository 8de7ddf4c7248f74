"""reexport_transformer: a bundle's transformer re-exported in either KV-cache kind from its own
weights, with the manifest's names and hashes to match; a bundle without PyTorch weights is refused
and left as it was."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from training.bundle_manifest import file_entry
from training.bundle_writer import load_bundle_models
from training.ort_node import ort_node_available, run_onnx
from training.onnx_export import plain_forward_feeds
from training.reexport_transformer import main

FIXTURE = Path(__file__).resolve().parents[2] / "assets" / "fixtures" / "tessera-tiny"


@pytest.mark.skipif(not ort_node_available(), reason="node + onnxruntime-node not installed")
def test_every_kind_round_trips_with_the_same_logits(tmp_path: Path) -> None:
    bundle = tmp_path / "tiny"
    shutil.copytree(FIXTURE, bundle)
    logits = {}
    for kind in ("concat", "in-place", "positions"):
        assert main([str(bundle), "--cache", kind, "--version", f"9.0.{len(logits)}"]) == 0
        manifest = json.loads((bundle / "manifest.json").read_text())
        names = manifest["tensors"]["transformer"]
        assert ("pastLength" in names) == (kind == "in-place")
        assert ("positionIds" in names and "keyValid" in names) == (kind == "positions")
        assert manifest["version"] == f"9.0.{len(logits)}"
        for key in ("transformer", "transformerInt8"):
            assert manifest["files"][key] == file_entry(bundle, manifest["files"][key]["path"])
        models, _ = load_bundle_models(bundle)
        ids = np.random.default_rng(0).integers(0, 16, (1, 9))
        logits[kind] = run_onnx([(bundle / "transformer.onnx", plain_forward_feeds(models.gpt.config, ids, names))])[0]["logits"]
    assert np.abs(logits["concat"] - logits["in-place"]).max() < 1e-5
    assert np.abs(logits["concat"] - logits["positions"]).max() < 1e-5
    assert not list(tmp_path.glob(".tiny.*")), "no staging folder left behind"


def test_refuses_a_bundle_without_weights_and_leaves_it_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bundle = tmp_path / "onnx-only"
    shutil.copytree(FIXTURE, bundle, ignore=shutil.ignore_patterns("*.pt"))
    before = {p.name: p.read_bytes() for p in bundle.iterdir()}
    assert main([str(bundle)]) == 2
    assert "torch-weights.pt" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in bundle.iterdir()} == before
