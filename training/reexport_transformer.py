"""Re-exports a bundle's transformer graph from its PyTorch weights, in the chosen KV-cache kind.

    /usr/bin/python3 -m training.reexport_transformer BUNDLE [--cache positions|in-place|concat] [--version V]

Bundles exported before the positions cache graph (positions_cache_graph.py) cannot run the
parallel sampler; bundles before the in-place cache graph (inplace_cache_graph.py) run with the
classic `present = concat(past, new)` graph, which the engine must copy out and feed back every step. This
rewrites transformer.onnx (and transformer.int8.onnx when the bundle has one) from torch-weights.pt,
with the same weights, and updates the manifest's tensor names and hashes. The bundle is replaced
only once everything is written (a staged copy, then two renames): an interrupted run leaves the
old bundle as it was.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Optional

from .bundle_manifest import file_entry, validate_manifest
from .bundle_writer import FILE_NAMES, load_bundle_models
from .onnx_export import DEFAULT_TRANSFORMER_CACHE, TRANSFORMER_CACHE_KINDS, export_transformer, transformer_tensor_names
from .onnx_postprocess import write_int8_transformer


def reexport(bundle: Path, cache: str, version: Optional[str] = None) -> dict:
    models, manifest = load_bundle_models(bundle)
    staged = Path(tempfile.mkdtemp(prefix=f".{bundle.name}.reexport-", dir=bundle.parent))
    try:
        shutil.copytree(bundle, staged, dirs_exist_ok=True)
        export_transformer(models.gpt, staged / FILE_NAMES["transformer"], cache)
        if "transformerInt8" in manifest["files"]:
            write_int8_transformer(staged / FILE_NAMES["transformer"], staged / FILE_NAMES["transformerInt8"])
        manifest["tensors"]["transformer"] = transformer_tensor_names(cache)
        for key in ("transformer", "transformerInt8"):
            if key in manifest["files"]:
                manifest["files"][key] = file_entry(staged, manifest["files"][key]["path"])
        if version is not None:
            manifest["version"] = version
        validate_manifest(manifest)
        (staged / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        old = bundle.with_name(f".{bundle.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        bundle.rename(old)
        staged.rename(bundle)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    return manifest


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m training.reexport_transformer", description=__doc__.split("\n\n")[0])
    parser.add_argument("bundle", type=Path, help="the bundle folder (must hold torch-weights.pt)")
    parser.add_argument("--cache", choices=TRANSFORMER_CACHE_KINDS, default=DEFAULT_TRANSFORMER_CACHE, help=f"KV-cache kind of the new graph (default {DEFAULT_TRANSFORMER_CACHE})")
    parser.add_argument("--version", help="new model version for the manifest (default: unchanged)")
    args = parser.parse_args(argv)
    if not (args.bundle / "manifest.json").is_file():
        parser.error(f"{args.bundle} is not a bundle folder (no manifest.json)")
    try:
        manifest = reexport(args.bundle.resolve(), args.cache, args.version)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{args.bundle}: transformer re-exported with the {args.cache} cache (version {manifest['version']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
