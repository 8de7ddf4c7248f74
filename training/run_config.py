"""Run configurations: one YAML/JSON file per model family in training/configs/, with a section per
stage (image_vqgan, seg_vqgan, gpt). Each section has `model`, optional `loss`, and `train`."""
from __future__ import annotations

import copy
import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import yaml

CONFIG_DIR = Path(__file__).resolve().parent / "configs"
STAGES = ("image_vqgan", "seg_vqgan", "gpt")

# Keys that may change between a checkpoint and its resumed run: they schedule the run rather than
# define what is trained. Anything else differing means "another config" and resume is refused.
SCHEDULE_KEYS = frozenset({"steps", "checkpoint_every", "log_every", "eval_every"})


@dataclass(frozen=True)
class VQGANTrainConfig:
    batch_size: int = 8
    crop: int = 64
    lr: float = 1e-4
    steps: int = 1000
    checkpoint_every: int = 500
    log_every: int = 10
    eval_every: int = 500
    eval_crops: int = 64
    precision: str = "bf16"  # bf16 autocast or fp32
    seed: int = 0
    flip: bool = True
    seg_loss: str = "ce"  # segmentation only: "ce" or "bce"
    # "data": at step 0 the codebook is set to encoder outputs of random crops, so codes start near
    # real latents (fewer dead codes); "uniform": taming's U(-1/n, 1/n) initialisation.
    codebook_init: str = "data"
    # Every N steps, codes that no training latent chose since the last restart are moved onto random
    # latents of the current batch (dead-code restart, as in Jukebox / Dhariwal et al. 2020); 0 = off.
    # Without it the 512-code image codebook collapsed to ~80 used codes within 1000 steps.
    codebook_restart_every: int = 0
    # Learning-rate schedule: linear warm-up over warmup_steps, then cosine decay to min_lr_ratio·lr
    # at the last step. The defaults (0, 1.0) keep taming's constant rate.
    warmup_steps: int = 0
    min_lr_ratio: float = 1.0


@dataclass(frozen=True)
class GPTTrainConfig:
    batch_size: int = 8
    lr: float = 3e-4
    weight_decay: float = 0.01
    warmup_steps: int = 200
    min_lr_ratio: float = 0.1
    grad_clip: float = 1.0
    steps: int = 1000
    checkpoint_every: int = 500
    log_every: int = 10
    eval_every: int = 500
    eval_batches: int = 8
    precision: str = "bf16"
    seed: int = 0
    # training.class_balance: the share of windows anchored on a uniformly drawn class, and the
    # power of the per-class token loss weights (class share**-power); 0 and 0 train taming's way.
    class_balanced_fraction: float = 0.0
    class_weight_power: float = 0.0


def dataclass_from(cls: type, values: dict[str, Any] | None, what: str) -> Any:
    values = dict(values or {})
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValueError(f"{what}: unknown keys {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    obj = cls(**values)
    if getattr(obj, "precision", "fp32") not in ("bf16", "fp32"):
        raise ValueError(f"{what}.precision must be 'bf16' or 'fp32' (got {obj.precision!r})")
    if not 0.0 <= float(getattr(obj, "class_balanced_fraction", 0.0)) <= 1.0:
        raise ValueError(f"{what}.class_balanced_fraction must be between 0 and 1 (got {obj.class_balanced_fraction!r})")
    if not 0.0 <= float(getattr(obj, "class_weight_power", 0.0)) <= 1.0:
        raise ValueError(f"{what}.class_weight_power must be between 0 (plain cross-entropy) and 1 (classes weigh the same) (got {obj.class_weight_power!r})")
    return obj


def resolve_config_path(name_or_path: str) -> Path:
    """`tiny` or `landscapes-v1` name a file in training/configs; anything else is a path."""
    path = Path(name_or_path)
    if path.is_file():
        return path
    for suffix in (".yaml", ".yml", ".json"):
        candidate = CONFIG_DIR / f"{name_or_path}{suffix}"
        if candidate.is_file():
            return candidate
    available = sorted(p.stem for p in CONFIG_DIR.glob("*.y*ml")) + sorted(p.stem for p in CONFIG_DIR.glob("*.json"))
    raise FileNotFoundError(f"no config {name_or_path!r}: not a file, and not one of {', '.join(available)}")


def load_run_config(name_or_path: str) -> dict[str, Any]:
    path = resolve_config_path(name_or_path)
    text = path.read_text()
    data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a config must be a mapping with sections {', '.join(STAGES)}")
    data.setdefault("name", path.stem)
    return data


def stage_section(config: dict[str, Any], stage: str) -> dict[str, Any]:
    if stage not in config:
        raise ValueError(f"config {config.get('name')!r} has no {stage!r} section")
    return copy.deepcopy(config[stage])


def resolved_section(args: Any, stage: str) -> tuple[dict[str, Any], str]:
    """The stage's section of the run's config (--tiny or --config) with the command line's
    --steps, --seed and --precision overrides applied; and the config's name."""
    config = load_run_config("tiny" if args.tiny else args.config)
    section = stage_section(config, stage)
    train = section.setdefault("train", {})
    for key in ("steps", "seed", "precision"):
        value = getattr(args, key)
        if value is not None:
            train[key] = value
    if train.get("precision") == "bf16" and args.precision is None:
        from .devices import resolve_device
        from .precision import precision_for_device

        device_type = resolve_device(getattr(args, "device", None) or "cpu").type
        train["precision"] = precision_for_device("bf16", device_type, explicit=False, what=f"{stage} ({config['name']})")
    return section, str(config["name"])


def config_differences(saved: Any, current: Any, prefix: str = "") -> list[str]:
    """Dotted keys whose values differ, ignoring the schedule keys."""
    if isinstance(saved, dict) and isinstance(current, dict):
        out = []
        for key in sorted(set(saved) | set(current)):
            if key in SCHEDULE_KEYS:
                continue
            path = f"{prefix}{key}"
            if key not in saved or key not in current:
                out.append(path)
            else:
                out.extend(config_differences(saved[key], current[key], path + "."))
        return out
    return [] if saved == current else [prefix.rstrip(".") or "(root)"]


def without_off_options(train_record: dict[str, Any], off_values: dict[str, Any]) -> dict[str, Any]:
    """The train record without the options that sit at their "off" value: checkpoints written
    before those options existed then still resume (config_differences counts a missing key)."""
    return {k: v for k, v in train_record.items() if not (k in off_values and v == off_values[k])}


def as_plain(obj: Any) -> Any:
    """Dataclasses and tuples → JSON-able dicts and lists (for checkpoints and logs)."""
    if hasattr(obj, "__dataclass_fields__"):
        return as_plain(asdict(obj))
    if isinstance(obj, dict):
        return {k: as_plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [as_plain(v) for v in obj]
    return obj
