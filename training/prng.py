"""Tessera's seeded PRNG, xoshiro128** seeded through mulberry32: a bit-exact port of shared/prng.ts.

docs/SAMPLING.md is the specification. Every operation is masked to 32 bits, because Python integers
are unbounded and the TypeScript side relies on `>>> 0` / Math.imul wrapping.
"""
from __future__ import annotations

MASK32 = 0xFFFFFFFF


def _imul(a: int, b: int) -> int:
    """Low 32 bits of the product, like Math.imul (read as unsigned)."""
    return (a * b) & MASK32


def _rotl(x: int, k: int) -> int:
    return ((x << k) | (x >> (32 - k))) & MASK32


def _mulberry32(state: int) -> tuple[int, int]:
    """One mulberry32 step: (output, next state). Used only to expand a seed into xoshiro state."""
    nxt = (state + 0x6D2B79F5) & MASK32
    t = nxt
    t = _imul(t ^ (t >> 15), t | 1)
    t ^= (t + _imul(t ^ (t >> 7), t | 61)) & MASK32
    return (t ^ (t >> 14)) & MASK32, nxt


class Xoshiro128:
    """xoshiro128** with the same seeding, outputs and doubles as the engine's generator."""

    def __init__(self, seed: int) -> None:
        if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0 or seed > MASK32:
            raise ValueError(f"seed must be an integer in 0..4294967295 (got {seed!r})")
        state = seed
        words = []
        for _ in range(4):
            out, state = _mulberry32(state)
            words.append(out)
        self.s0, self.s1, self.s2, self.s3 = words
        if (self.s0 | self.s1 | self.s2 | self.s3) == 0:
            self.s0 = 1  # the all-zero state is a fixed point of the generator

    def next_uint32(self) -> int:
        result = _imul(_rotl(_imul(self.s1, 5), 7), 9)
        t = (self.s1 << 9) & MASK32
        self.s2 ^= self.s0
        self.s3 ^= self.s1
        self.s1 ^= self.s2
        self.s0 ^= self.s3
        self.s2 ^= t
        self.s3 = _rotl(self.s3, 11)
        return result

    def next_double(self) -> float:
        """A double in [0, 1) with 53 random bits: (27 bits · 2^26 + 26 bits) / 2^53, exact in IEEE-754."""
        a = self.next_uint32() >> 5
        b = self.next_uint32() >> 6
        return (a * 67108864 + b) / 9007199254740992
