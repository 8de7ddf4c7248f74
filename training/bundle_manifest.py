"""The bundle manifest (shared/manifest.ts): building it, and validating it against the generated
JSON Schema plus the cross-field rules of the zod superRefine, re-checked here in Python."""
from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema

REPO_ROOT = Path(__file__).resolve().parents[1]
SCHEMA_PATH = REPO_ROOT / "shared" / "schema" / "bundle-manifest.schema.json"
BUNDLE_FORMAT = "tessera-bundle"
BUNDLE_FORMAT_VERSION = 1


class ManifestError(ValueError):
    pass


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    if not SCHEMA_PATH.is_file():
        raise FileNotFoundError(f"manifest JSON Schema not found at {SCHEMA_PATH} (npm run schema writes it)")
    schema = json.loads(SCHEMA_PATH.read_text())
    return jsonschema.Draft202012Validator(schema)


GRID_FACTOR_MESSAGE = "must be a power of two from 2 to 64 (8 or 16 for taming models)"


def file_entry(root: Path, relative: str) -> dict[str, Any]:
    data = (root / relative).read_bytes()
    return {"path": relative, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


def _is_bundle_path(p: str) -> bool:
    return not p.startswith("/") and not (len(p) > 1 and p[1] == ":" and p[0].isalpha()) and ".." not in p.replace("\\", "/").split("/")


def cross_field_issues(m: dict[str, Any]) -> list[str]:
    """The zod refinements the generated JSON Schema cannot express (gridFactor a power of two,
    relative file paths) and the superRefine rules of ManifestSchema, in the same words."""
    issues = []
    factor = m["gridFactor"]
    if not (isinstance(factor, int) and factor > 0 and factor & (factor - 1) == 0):
        issues.append(f"gridFactor: {GRID_FACTOR_MESSAGE}")
    for key, entry in m["files"].items():
        if not _is_bundle_path(entry["path"]):
            issues.append(f"files.{key}.path: must be a relative path inside the bundle folder")
    seen_ids: dict[int, int] = {}
    seen_colours: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    classes = m["classes"]
    for index, c in enumerate(classes):
        if c["id"] in seen_ids:
            issues.append(f"classes[{index}].id: duplicate class id {c['id']} (also used by classes[{seen_ids[c['id']]}])")
        seen_ids[c["id"]] = index
        colour = c["color"].lower()
        if colour in seen_colours:
            issues.append(f"classes[{index}].color: duplicate class colour {colour} (also used by classes[{seen_colours[colour]}]): colours must identify classes exactly")
        seen_colours[colour] = index
        if c["name"] in seen_names:
            issues.append(f"classes[{index}].name: duplicate class name \"{c['name']}\" (also used by classes[{seen_names[c['name']]}])")
        seen_names[c["name"]] = index
    ids = sorted(c["id"] for c in classes)
    if len(seen_ids) == len(classes) and ids != list(range(len(classes))):
        issues.append(f"classes: class ids must be 0..{len(classes) - 1} without gaps")
    window, transformer, vocab = m["window"], m["transformer"], m["vocab"]
    needed = 2 * window["rows"] * window["cols"]
    if needed > transformer["blockSize"]:
        issues.append(f"window: a {window['rows']}×{window['cols']} window needs {needed} positions, more than the transformer's block size {transformer['blockSize']}")
    if transformer["width"] % transformer["heads"] != 0:
        issues.append(f"transformer.heads: width {transformer['width']} is not divisible by {transformer['heads']} heads")
    if vocab["image"] > transformer["vocabSize"] or vocab["cond"] > transformer["vocabSize"]:
        issues.append(f"transformer.vocabSize: transformer vocabulary {transformer['vocabSize']} is smaller than a codebook (image {vocab['image']}, cond {vocab['cond']})")
    preview = m.get("previewColors")
    if preview is not None and len(preview) != 6 * vocab["image"]:
        issues.append(f"previewColors: has {len(preview) / 6:g} colours, but the image codebook has {vocab['image']} codes")
    names = m["tensors"]["transformer"]
    if ("positionIds" in names) != ("keyValid" in names):
        issues.append("tensors.transformer: positionIds and keyValid come together (a positions-cache graph has both inputs)")
    if "positionIds" in names and "pastLength" in names:
        issues.append("tensors.transformer.pastLength: a positions-cache graph (positionIds) has no pastLength input")
    defaults = m.get("defaults")
    if defaults and defaults["stride"] > window["cols"]:
        issues.append(f"defaults.stride: stride {defaults['stride']} is wider than the window ({window['cols']} columns)")
    return issues


def validate_manifest(manifest: dict[str, Any]) -> None:
    """Raises ManifestError listing every problem as `field.path: message`."""
    errors = sorted(_validator().iter_errors(manifest), key=lambda e: list(e.absolute_path))
    if errors:
        lines = []
        for e in errors:
            path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in e.absolute_path).lstrip(".") or "(root)"
            # The schema states some zod rules as enums; give them zod's words, not jsonschema's.
            message = GRID_FACTOR_MESSAGE if path == "gridFactor" else e.message
            lines.append(f"{path}: {message}")
        raise ManifestError("manifest does not match shared/manifest.ts:\n" + "\n".join(lines))
    issues = cross_field_issues(manifest)
    if issues:
        raise ManifestError("manifest breaks a cross-field rule of shared/manifest.ts:\n" + "\n".join(issues))


def verify_bundle_files(root: Path, manifest: dict[str, Any]) -> None:
    """Every file the manifest names exists with the recorded size and sha256."""
    for key, entry in manifest["files"].items():
        actual = file_entry(root, entry["path"]) if (root / entry["path"]).is_file() else None
        if actual is None:
            raise ManifestError(f"files.{key}: {entry['path']} is missing from {root}")
        if actual != entry:
            raise ManifestError(f"files.{key}: {entry['path']} does not match its sha256/size in the manifest")


def preview_hex(colours: list[tuple[int, int, int]]) -> str:
    return "".join(f"{r:02x}{g:02x}{b:02x}" for r, g, b in colours)
