"""Training on whatever machine is at hand: the wall-clock budget, the device choice and the shared
learning-rate schedule."""
from __future__ import annotations

import pytest
import torch

from training.checkpoints import CheckpointSchedule
from training.devices import resolve_device
from training.schedules import warmup_cosine
from training.time_budget import TimeBudget


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def run_steps(budget: TimeBudget, clock: FakeClock, total: int, seconds_per_step: float) -> tuple[int, list[int]]:
    """Steps the way the trainers do; returns the steps trained and every distinct planned total."""
    step, plans = 0, [total]
    while step < total:
        clock.now += seconds_per_step
        step += 1
        total = budget.planned_total(step, total)
        if total != plans[-1]:
            plans.append(total)
    return step, plans


def test_budget_lowers_the_total_once_after_measuring() -> None:
    clock = FakeClock()
    budget = TimeBudget(100.0, warmup_steps=10, measure_steps=40, margin=0.9, clock=clock)
    steps, plans = run_steps(budget, clock, 10_000, 1.0)
    # At step 50, 50 s are spent and 50 are left: 0.9 * 50 / 1 s = 45 more steps.
    assert plans == [10_000, 95] and steps == 95
    assert budget.seconds_per_step == pytest.approx(1.0)


def test_budget_keeps_a_total_that_fits_and_none_means_no_budget() -> None:
    clock = FakeClock()
    steps, plans = run_steps(TimeBudget(1000.0, clock=clock), clock, 200, 1.0)
    assert (steps, plans) == (200, [200])
    clock = FakeClock()
    assert run_steps(TimeBudget(None, clock=clock), clock, 300, 5.0) == (300, [300])


def test_budget_stops_a_run_whose_pace_drops_after_measuring() -> None:
    clock = FakeClock()
    budget = TimeBudget(100.0, warmup_steps=2, measure_steps=3, margin=1.0, clock=clock)
    step, total = 0, 1000
    while step < total:
        clock.now += 1.0 if step < 5 else 10.0  # 1 s per step while measured, then ten times slower
        step += 1
        total = budget.planned_total(step, total)
    # Planned 100 steps at step 5; the safety stop ends it at the first step past 100 s instead.
    assert (step, clock.now) == (15, 105.0)


@pytest.mark.parametrize("seconds", [0, -5])
def test_budget_must_be_positive(seconds: float) -> None:
    with pytest.raises(ValueError, match="--time-budget must be a positive number of seconds"):
        TimeBudget(seconds)


def test_device_choice() -> None:
    assert resolve_device("cpu") == torch.device("cpu")
    assert resolve_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")
    with pytest.raises(ValueError, match="--device must be one of cpu, cuda, auto"):
        resolve_device("tpu")
    if not torch.cuda.is_available():
        with pytest.raises(SystemExit, match="PyTorch sees no CUDA GPU here"):
            resolve_device("cuda")


def test_warmup_cosine_schedule() -> None:
    assert [warmup_cosine(1.0, s, 100, warmup_steps=4) for s in range(4)] == [0.25, 0.5, 0.75, 1.0]
    assert warmup_cosine(1.0, 4, 100, warmup_steps=4, min_lr_ratio=0.1) == pytest.approx(1.0)
    assert warmup_cosine(1.0, 100, 100, warmup_steps=4, min_lr_ratio=0.1) == pytest.approx(0.1)
    assert warmup_cosine(1.0, 52, 100, warmup_steps=4, min_lr_ratio=0.0) == pytest.approx(0.5)
    # The VQGAN defaults (no warm-up, ratio 1) keep taming's constant rate.
    assert {warmup_cosine(2e-4, s, 50) for s in range(60)} == {2e-4}


def test_checkpoints_are_written_by_step_count_and_by_time() -> None:
    clock = FakeClock()
    schedule = CheckpointSchedule(every=1000, minutes=10, clock=clock)
    written = []
    for step in range(1, 2501):
        clock.now += 1.0 if step <= 1200 else 60.0  # a fast start, then a minute per step
        if schedule.due(step, total=2500):
            written.append(step)
    # 600 by time (10 minutes at 1 s a step), 1000 by count, then every 10 minutes (10 steps of
    # 60 s) once the pace drops, and the last step.
    assert written[:4] == [600, 1000, 1207, 1217] and written[-1] == 2500
    assert all(b - a <= 10 for a, b in zip(written[2:], written[3:]))
    clock = FakeClock()
    never_by_time = CheckpointSchedule(every=3, minutes=None, clock=clock)
    clock.now = 1e9
    assert [s for s in range(1, 8) if never_by_time.due(s, 7)] == [3, 6, 7]
    with pytest.raises(ValueError, match="--checkpoint-minutes must be positive"):
        CheckpointSchedule(every=3, minutes=0)


def test_native_bf16_is_read_from_the_cpu_flags(tmp_path) -> None:
    from training.precision import cpu_has_native_bf16

    (tmp_path / "avx2").write_text("processor\t: 0\nflags\t\t: fpu sse avx avx2 fma\n\nprocessor\t: 1\nflags\t\t: fpu sse avx avx2 fma\n")
    (tmp_path / "bf16").write_text("processor\t: 0\nflags\t\t: fpu avx512f avx512_bf16 avx512_vnni\n")
    (tmp_path / "amx").write_text("processor\t: 0\nflags\t\t: fpu avx512f amx_bf16 amx_tile\n")
    assert cpu_has_native_bf16(str(tmp_path / "avx2")) is False
    assert cpu_has_native_bf16(str(tmp_path / "bf16")) is True and cpu_has_native_bf16(str(tmp_path / "amx")) is True
    assert cpu_has_native_bf16(str(tmp_path / "missing")) is None


@pytest.mark.parametrize("native, device, explicit, expected", [
    (False, "cpu", False, "fp32"),   # a config's bf16 on an emulating CPU: fp32, with a note
    (False, "cpu", True, "bf16"),    # --bf16 on the command line is kept
    (False, "cuda", False, "bf16"),  # GPUs compute bf16
    (True, "cpu", False, "bf16"),
    (None, "cpu", False, "bf16"),    # unknown (not Linux): as configured
])
def test_configured_bf16_falls_back_to_fp32_only_where_emulated(monkeypatch, capsys, native, device, explicit, expected) -> None:
    from training import precision

    monkeypatch.setattr(precision, "cpu_has_native_bf16", lambda: native)
    assert precision.precision_for_device("bf16", device, explicit, "gpt") == expected
    assert precision.precision_for_device("fp32", device, explicit, "gpt") == "fp32"
    err = capsys.readouterr().err
    assert ("runs in fp32 (pass --bf16 to insist" in err) == (expected == "fp32")


def test_train_cli_records_the_precision_it_ran(monkeypatch, tmp_path) -> None:
    from argparse import Namespace

    from training import precision
    from training.run_config import resolved_section

    monkeypatch.setattr(precision, "cpu_has_native_bf16", lambda: False)
    args = Namespace(tiny=False, config="landscapes-v2", steps=None, seed=None, precision=None, device="cpu")
    assert resolved_section(args, "gpt")[0]["train"]["precision"] == "fp32"
    args.precision = "bf16"
    assert resolved_section(args, "gpt")[0]["train"]["precision"] == "bf16"
    monkeypatch.setattr(precision, "cpu_has_native_bf16", lambda: True)
    args.precision = None
    assert resolved_section(args, "gpt")[0]["train"]["precision"] == "bf16"
