#!/usr/bin/env python3
"""Environment steps (and gradient steps) each run needed to reach a return threshold.

Reads run folders' curve.csv files and reports, per run, the first iteration at which the mean of
the last `window` held-out meta-test evaluation returns (column metatest_evaluation_return, the
learner's own meta-test on train tasks it does not train on) reaches the threshold.

    python3 tools/sample_efficiency.py --threshold -150 Baselines/*/half-cheetah-vel-v2
"""
import argparse
import csv
import os
import sys


def first_crossing(path, threshold, window, column):
    with open(os.path.join(path, "curve.csv")) as f:
        rows = list(csv.DictReader(f))
    recent = []
    best = None
    for r in rows:
        v = r.get(column, "")
        if v == "":
            continue
        recent.append(float(v))
        recent = recent[-window:]
        m = sum(recent) / len(recent)
        best = m if best is None else max(best, m)
        if len(recent) == window and m >= threshold:
            return r, m, best, rows[-1]
    return None, None, best, rows[-1] if rows else None


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threshold", type=float, required=True)
    p.add_argument("--window", type=int, default=3, help="meta-test points averaged (default 3)")
    p.add_argument("--column", default="metatest_evaluation_return")
    p.add_argument("runs", nargs="+")
    a = p.parse_args()
    print(f"threshold {a.threshold:g} on the mean of {a.window} consecutive '{a.column}' points")
    print(f"{'run':42} {'env steps':>12} {'gradient steps':>15} {'wall s':>8} {'best mean':>10} {'run length (env steps)':>24}")
    for run in a.runs:
        if not os.path.exists(os.path.join(run, "curve.csv")):
            print(f"{run}: no curve.csv", file=sys.stderr)
            continue
        hit, m, best, last = first_crossing(run, a.threshold, a.window, a.column)
        length = last["env_steps"] if last else "?"
        best_s = f"{best:.1f}" if best is not None else "-"
        if hit:
            print(f"{run:42} {int(float(hit['env_steps'])):>12,} {int(float(hit['gradient_steps'])):>15,} "
                  f"{float(hit['wall_seconds']):>8.0f} {best_s:>10} {int(float(length)):>24,}")
        else:
            print(f"{run:42} {'not reached':>12} {'':>15} {'':>8} {best_s:>10} {int(float(length)):>24,}")


if __name__ == "__main__":
    main()
