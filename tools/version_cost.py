"""Summary of tools/version_cost.sh's rows (round, side A/B, environment, rc, wall s, CPU s): the paired ratio
B / A of each round's CPU time and wall time, its geometric mean over rounds and a 95% bootstrap
interval (10,000 resamples, seed 0), and the CPU microseconds per step of each."""
import math
import sys

from collections import defaultdict

from paired_stats import boot, mean

path, a, b, steps = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
rows = defaultdict(dict)
for line in open(path):
    r, side, env, rc, wall, cpu = line.split()
    if rc != "0":
        print(f"round {r} {side} {env}: exit {rc}, left out")
        continue
    rows[r][side] = (float(wall), float(cpu))
pairs = [v for v in rows.values() if "A" in v and "B" in v]
if len(pairs) < 2:
    sys.exit("fewer than two complete rounds")


if a == b:
    a, b = f"{a} (A)", f"{b} (B)"
print(f"{len(pairs)} rounds, " + (f"{steps} steps a run" if steps > 1 else "one evaluation a run"))


def per_step(x):
    return f" ({x / steps * 1e6:.1f} µs a step)" if steps > 1 else ""

for k, name in ((1, "cpu"), (0, "wall")):
    xa = [p["A"][k] for p in pairs]
    xb = [p["B"][k] for p in pairs]
    logs = [math.log(y / x) for x, y in zip(xa, xb)]
    lo, hi = boot(logs)
    print(f"{name:4s}: {a} {mean(xa):.3f} s{per_step(mean(xa))}, "
          f"{b} {mean(xb):.3f} s{per_step(mean(xb))}; "
          f"{b} / {a} {math.exp(mean(logs)):.3f} [{math.exp(lo):.3f}, {math.exp(hi):.3f}]")
