"""Fits a training run's step count to a wall-clock budget (--time-budget SECONDS).

After a few warm-up steps the time per step is measured once, and the planned total is lowered to
what fits in the rest of the budget. Deciding once, early (before any learning-rate decay starts),
keeps a cosine schedule whole: the run ends on its decayed learning rate, not cut off mid-schedule.
The step count it chose is recorded with the run, so `--steps N` repeats it on any machine.
"""
from __future__ import annotations

import argparse
import dataclasses
import math
import time
from typing import Any, Callable, Optional


class TimeBudget:
    def __init__(
        self,
        seconds: Optional[float],
        warmup_steps: int = 10,
        measure_steps: int = 40,
        margin: float = 0.9,
        clock: Optional[Callable[[], float]] = None,
    ) -> None:
        if seconds is not None and seconds <= 0:
            raise ValueError(f"--time-budget must be a positive number of seconds (got {seconds})")
        self.clock = clock or time.perf_counter
        self.seconds = seconds
        self.warmup_steps = warmup_steps
        self.measure_steps = measure_steps
        self.margin = margin  # evaluation and checkpoint pauses are not in the measured steps
        self.started = self.clock()
        self.steps_seen = 0
        self.measure_from: Optional[float] = None
        self.seconds_per_step: Optional[float] = None

    def planned_total(self, step: int, total: int) -> int:
        """Call after every step (`step` = steps done); returns the total to train to."""
        if self.seconds is None:
            return total
        self.steps_seen += 1
        now = self.clock()
        if self.steps_seen == self.warmup_steps:
            self.measure_from = now
        elif self.steps_seen == self.warmup_steps + self.measure_steps and self.measure_from is not None:
            self.seconds_per_step = (now - self.measure_from) / self.measure_steps
            left = self.seconds - (now - self.started)
            return max(step, min(total, step + math.floor(self.margin * left / self.seconds_per_step)))
        if now - self.started >= self.seconds:
            return min(total, step)  # a safety stop, should the measured pace not hold
        return total


def follow_budget(budget: TimeBudget, stage: Any, step: int, total: int, bar: Any, log: Any) -> int:
    """The trainers' side of the budget: asks for the total after `step` and, when it changes, makes
    the stage's schedule (`stage.train.steps`), its recorded config (what `--steps` must repeat), the
    progress bar and metrics.jsonl follow. Returns the total."""
    planned = budget.planned_total(step, total)
    if planned != total:
        stage.train = dataclasses.replace(stage.train, steps=planned)
        stage.config_record["train"]["steps"] = planned
        bar.total = planned
        log.write({"event": "time_budget", "step": step, "steps": planned, "s_per_step": budget.seconds_per_step})
    return planned


def positive_number(text: str) -> float:
    """argparse type for --time-budget and --checkpoint-minutes: a clear usage error, not a traceback."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0 or math.isinf(value):
        raise argparse.ArgumentTypeError(f"must be a positive number (got {text})")
    return value
