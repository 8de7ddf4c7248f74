"""Command line of `python3 -m training.data.painted`: the held-out set, its check, a preview.

    /usr/bin/python3 -m training.data.painted --heldout OUT_DIR [--count 200] [--seed S] [--force]
    /usr/bin/python3 -m training.data.painted --check [MANIFEST]      (default: the committed one)
    /usr/bin/python3 -m training.data.painted --preview FILE.png [--size 256x256] [--seed S]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .generate import parse_size
from .painted import PAINTED_VERSION, painted_scene
from .painted_heldout import MANIFEST_PATH, check_heldout_range, check_manifest, write_heldout
from .pngs import write_preview
from .seeds import PAINTED_HELDOUT_SEED_END, PAINTED_HELDOUT_SEED_START, TRAIN_SEED_START

PREVIEW_SCENES = 16


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python3 -m training.data.painted",
        description="Painted-style layouts (flat regions, simple shapes, unusual arrangements) and their renders.",
        epilog=f"Painted held-out seeds: {PAINTED_HELDOUT_SEED_START}..{PAINTED_HELDOUT_SEED_END - 1} (never used for training).",
    )
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--heldout", type=Path, metavar="OUT_DIR", help="write the held-out set: PNG label maps, renders, index.json, manifest.json")
    what.add_argument("--check", type=Path, nargs="?", const=MANIFEST_PATH, metavar="MANIFEST",
                      help=f"regenerate the label maps a manifest describes and compare (default {MANIFEST_PATH.name})")
    what.add_argument("--preview", type=Path, metavar="FILE.png", help="a 4x4 grid of painted layouts and their renders")
    p.add_argument("--count", type=int, default=200, help="held-out layouts (default 200)")
    p.add_argument("--seed", type=int, default=None,
                   help=f"first seed (default {PAINTED_HELDOUT_SEED_START} for --heldout, {TRAIN_SEED_START} for --preview)")
    p.add_argument("--size", default="256x256", help="WIDTHxHEIGHT of --preview scenes (default 256x256)")
    p.add_argument("--force", action="store_true", help="write into a non-empty OUT_DIR, replace --preview")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    return p


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.check is not None:
        ok, message = check_manifest(args.check)
        print(message, file=sys.stdout if ok else sys.stderr)
        return 0 if ok else 1

    if args.heldout is not None:
        seed = PAINTED_HELDOUT_SEED_START if args.seed is None else args.seed
        try:
            check_heldout_range(seed, args.count)
        except ValueError as exc:
            parser.error(f"--seed/--count: {exc}")
        out: Path = args.heldout
        if out.exists() and not out.is_dir():
            parser.error(f"--heldout {out} exists and is not a folder")
        if out.is_dir() and any(out.iterdir()) and not args.force:
            parser.error(f"--heldout {out} exists and is not empty; choose another folder or pass --force to overwrite")
        started = time.perf_counter()

        def progress(i: int, _member) -> None:
            if not args.quiet and ((i + 1) % 50 == 0 or i + 1 == args.count):
                print(f"{i + 1}/{args.count} layouts", file=sys.stderr)

        result = write_heldout(out, seed, args.count, on_member=progress)
        if not args.quiet:
            print(
                f"wrote {result['count']} painted held-out layouts ({PAINTED_VERSION}) to {out} in "
                f"{time.perf_counter() - started:.1f} s; labels sha256 {result['labels_sha256']}",
                file=sys.stderr,
            )
        return 0

    try:
        width, height = parse_size(args.size)
    except ValueError as exc:
        parser.error(f"--size: {exc}")
    seed = TRAIN_SEED_START if args.seed is None else args.seed
    if seed < 0:
        parser.error(f"--seed must be >= 0, got {seed}")
    if args.preview.suffix.lower() != ".png":
        parser.error(f"--preview must name a .png file, got {args.preview}")
    if args.preview.exists() and not args.force:
        parser.error(f"--preview {args.preview} already exists; pass --force to replace it")
    write_preview(args.preview, [painted_scene(s, width, height) for s in range(seed, seed + PREVIEW_SCENES)])
    return 0
