"""Manifest validation: the JSON Schema from shared/manifest.ts plus its cross-field rules."""
from __future__ import annotations

import copy
import json

import pytest

from training.bundle_manifest import ManifestError, validate_manifest

from .conftest import FIXTURE_DIR


@pytest.fixture()
def manifest() -> dict:
    return json.loads((FIXTURE_DIR / "manifest.json").read_text())


def test_fixture_manifest_is_valid(manifest: dict) -> None:
    validate_manifest(manifest)
    assert manifest["source"]["kind"] == "fixture"
    assert len(manifest["previewColors"]) == 6 * manifest["vocab"]["image"]


@pytest.mark.parametrize(
    "edit,message",
    [
        (lambda m: m["classes"][1].update(color=m["classes"][0]["color"]), "duplicate class colour"),
        (lambda m: m["classes"][1].update(name=m["classes"][0]["name"]), "duplicate class name"),
        (lambda m: m["classes"][1].update(id=0), "duplicate class id"),
        (lambda m: m["classes"][-1].update(id=9), "without gaps"),
        (lambda m: m["window"].update(rows=5), "more than the transformer's block size"),
        (lambda m: m["transformer"].update(heads=3), "not divisible by 3 heads"),
        (lambda m: m["vocab"].update(image=64), "smaller than a codebook"),
        (lambda m: m.update(previewColors=m["previewColors"][:-6]), "previewColors"),
        (lambda m: m["defaults"].update(stride=5), "wider than the window"),
        (lambda m: m.update(gridFactor=12), "power of two"),
        (lambda m: m["files"]["transformer"].update(path="../transformer.onnx"), "relative path"),
        (lambda m: m["tensors"]["transformer"].pop("keyValid"), "positionIds and keyValid come together"),
        (lambda m: m["tensors"]["transformer"].update(pastLength="past_length"), "has no pastLength input"),
    ],
)
def test_cross_field_rules(manifest: dict, edit, message: str) -> None:
    broken = copy.deepcopy(manifest)
    edit(broken)
    with pytest.raises(ManifestError, match=message):
        validate_manifest(broken)


@pytest.mark.parametrize(
    "edit,field",
    [
        (lambda m: m.update(id="Has Spaces"), "id"),
        (lambda m: m.update(formatVersion=2), "formatVersion"),
        (lambda m: m["files"]["transformer"].update(sha256="xyz"), "files.transformer.sha256"),
        (lambda m: m.update(extra=1), "(root)"),
        (lambda m: m["tensors"]["transformer"].update(pastKey="past_key"), "tensors.transformer.pastKey"),
        (lambda m: m.update(gridFactor=128), "gridFactor"),
        (lambda m: m["source"].update(kind="downloaded"), "source"),
    ],
)
def test_schema_violations_name_the_field(manifest: dict, edit, field: str) -> None:
    broken = copy.deepcopy(manifest)
    edit(broken)
    with pytest.raises(ManifestError) as info:
        validate_manifest(broken)
    assert field in str(info.value)
