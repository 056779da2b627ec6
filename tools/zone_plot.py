#!/usr/bin/env python3
"""Test-split success against training environment steps, one line per learner with a 95%
interval over seeds (Student t on the seeds' mean, clipped to [0, 1]) and each seed as a thin
line: issue 18's central figure. Reads the zone_test.csv files tools/zone_curve.sh writes.

    python3 tools/zone_plot.py --task reach --title "fetch-zones-v1, reach: zone D" \
        --out docs/images/zones-reach.png \
        gargaml=Baselines/gargaml/fetch-zones-v1/reach sac-her=Baselines/sac-her/fetch-zones-v1/reach

Each LABEL=DIR holds seed-*/zone_test.csv. Needs matplotlib. Also prints the table it plots.
"""
import argparse
import csv
import glob
import math
import os
from collections import defaultdict

# Two-sided 95% Student t quantiles by degrees of freedom.
T95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262}


def load(root, task):
    runs = {}
    for path in sorted(glob.glob(os.path.join(root, "seed-*", "zone_test.csv"))):
        pts = {}
        with open(path) as f:
            for r in csv.DictReader(f):
                if r["task"] == task:
                    pts[int(r["env_steps"])] = float(r["score"])
        if pts:
            runs[os.path.basename(os.path.dirname(path))] = pts
    return runs


def summary(runs):
    """Steps every seed has, with mean and interval."""
    common = sorted(set.intersection(*(set(p) for p in runs.values()))) if runs else []
    rows = []
    for s in common:
        v = [p[s] for p in runs.values()]
        m = sum(v) / len(v)
        if len(v) > 1:
            sd = math.sqrt(sum((x - m) ** 2 for x in v) / (len(v) - 1))
            h = T95.get(len(v) - 1, 1.96) * sd / math.sqrt(len(v))
        else:
            h = float("nan")
        rows.append((s, m, max(0.0, m - h), min(1.0, m + h), v))
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--task", required=True)
    ap.add_argument("--title", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("learners", nargs="+", help="LABEL=DIR")
    a = ap.parse_args()
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=110)
    colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"]
    for i, spec in enumerate(a.learners):
        label, root = spec.split("=", 1)
        runs = load(root, a.task)
        rows = summary(runs)
        c = colors[i % len(colors)]
        for pts in runs.values():
            xs = sorted(pts)
            ax.plot(xs, [pts[x] for x in xs], color=c, alpha=0.25, linewidth=0.8)
        if rows:
            xs = [r[0] for r in rows]
            ax.plot(xs, [r[1] for r in rows], color=c, linewidth=2, marker="o", markersize=3,
                    label=f"{label} (mean of {len(runs)} seeds)")
            if len(runs) > 1:
                ax.fill_between(xs, [r[2] for r in rows], [r[3] for r in rows], color=c, alpha=0.18)
        print(f"{label} on {a.task} ({len(runs)} seeds: {', '.join(runs)})")
        for s, m, lo, hi, v in rows:
            print(f"  {s:>9,d} steps: {m:.3f} [{lo:.3f}, {hi:.3f}]  seeds {' '.join(f'{x:.2f}' for x in v)}")
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("training environment steps")
    ax.set_ylabel("test success (unseen goals)")
    ax.set_title(a.title)
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize=8)
    fig.tight_layout()
    fig.savefig(a.out)
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
