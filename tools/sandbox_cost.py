"""Summary of tools/sandbox_cost.sh's rows (round, mode, rc, wall s, CPU s, steps, trials): per-mode
means, and the paired relative difference sandboxed − unsandboxed (per round, then its mean over
rounds) for wall time and for the process tree's CPU time, with 95% bootstrap intervals over
rounds (10,000 resamples, seed 0); per trial and per step in absolute terms too."""
import math
import sys

from collections import defaultdict

from paired_stats import boot, mean

rows = defaultdict(dict)
for line in open(sys.argv[1]):
    r, mode, rc, wall, cpu, steps, trials = line.split()
    if rc != "0":
        print(f"round {r} {mode}: exit {rc}, left out")
        continue
    rows[r][mode] = (float(wall), float(cpu), int(steps), int(trials))
pairs = [v for v in rows.values() if "sandbox" in v and "nosandbox" in v]
if not pairs:
    sys.exit("no complete pairs")
steps, trials = pairs[0]["sandbox"][2], pairs[0]["sandbox"][3]


print(f"{len(pairs)} pairs, {trials} trials and {steps} env steps a run")
for k, name in ((0, "wall"), (1, "cpu")):
    s = [p["sandbox"][k] for p in pairs]
    u = [p["nosandbox"][k] for p in pairs]
    rel = [a / b - 1 for a, b in zip(s, u)]
    d = [a - b for a, b in zip(s, u)]
    lo, hi = boot(rel)
    dlo, dhi = boot(d)
    # Robust to a single round that the host slowed: the geometric mean of the paired ratios.
    logs = [math.log(a / b) for a, b in zip(s, u)]
    glo, ghi = boot(logs)
    print(f"{name:4s}: sandboxed {mean(s):.2f} s, unsandboxed {mean(u):.2f} s; paired {100 * mean(rel):+.1f}% "
          f"[{100 * lo:+.1f}%, {100 * hi:+.1f}%]; {mean(d) / trials * 1e3:+.1f} ms a trial [{dlo / trials * 1e3:+.1f}, {dhi / trials * 1e3:+.1f}]"
          + (f", {mean(d) / steps * 1e6:+.2f} µs a step [{dlo / steps * 1e6:+.2f}, {dhi / steps * 1e6:+.2f}]" if steps else "")
          + f"; geometric mean of the paired ratios {100 * math.expm1(mean(logs)):+.1f}% [{100 * math.expm1(glo):+.1f}%, {100 * math.expm1(ghi):+.1f}%]")
