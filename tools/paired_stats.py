"""Shared by tools/sandbox_cost.py and tools/version_cost.py: the mean and a 95% percentile
bootstrap interval of the mean over rounds (10,000 resamples from a generator seeded 0, so the
same rows always print the same interval)."""
import random

_rng = random.Random(0)


def mean(xs):
    return sum(xs) / len(xs)


def boot(xs):
    ms = sorted(mean([_rng.choice(xs) for _ in xs]) for _ in range(10000))
    return ms[249], ms[9749]
