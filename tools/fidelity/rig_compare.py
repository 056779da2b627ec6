#!/usr/bin/env python3
"""Side by side: Meta-World v3's Sawyer rig and mrbench's under the same action sequences.

    /work/venv-mw/bin/python tools/fidelity/rig_compare.py --mrbench .build/release/mrbench --env ml10/pick-place-v2

With --assets (one per --mrbench, '-' for the repository's) an older build runs on its own assets,
e.g. the v1 column: `git archive 91ec208 Assets | tar -x -C /tmp/assets-v1`, a build of that
revision as /tmp/mrbench-v1, then `--mrbench /tmp/mrbench-v1 --env ml10/pick-place-v1 --assets
/tmp/assets-v1/Assets --label v1`.

Meta-World runs in-process (pick-place-v3, MT1 task 0); mrbench runs the same sequences through
`mrbench render` with mw_agent.py --mode probe as the external agent. Prints a Markdown table.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def metrics(gripper, lag, down):
    """The rig figures from three observation traces (rows of 39 numbers)."""
    g = np.asarray(gripper)[:, 3]
    half = (g[0] + g[20]) / 2
    x = np.asarray(lag)[:, 0] - lag[0][0]
    lags = [0.01 * k - x[k] for k in range(5, 21)]
    return {
        "opening open / after 20 closing steps": f"{g[0]:.3f} / {g[20]:.3f}",
        "steps to half closed": int(np.argmax(g[:21] <= half)),
        "steps to half open again": int(np.argmax(g[20:41] >= half)),
        "hand x after 20 steps of +x (cm)": round(100 * float(x[20]), 1),
        "hand lag behind target, steps 5–20 (cm)": f"{100 * min(lags):.1f}–{100 * max(lags):.1f}",
        "hand x settled, 20 steps later (cm)": round(100 * float(x[40]), 1),
        "hand z after 10 steps of −z (cm)": round(100 * float(down[10][2] - down[0][2]), 1),
    }


def mw_traces():
    import mw_rig_probe as p
    env = p.make()
    out = {}
    for name in ["gripper", "lag", "down"]:
        from mw_agent import probe_sequence
        out[name] = p.run(env, probe_sequence(name)).tolist()
    env.reset()
    tcp = float(env.get_endeff_pos()[2] - env.tcp_center[2])
    return out, tcp


def mrbench_traces(binary, env, assets=None):
    out = {}
    with tempfile.TemporaryDirectory() as d:
        for name in ["gripper", "lag", "down"]:
            log = os.path.join(d, name + ".jsonl")
            agent = f"cmd:{sys.executable} {os.path.join(HERE, 'mw_agent.py')} --mode probe --sequence {name} --log {log}"
            subprocess.run([binary, "render", "--env", env, "--agent", agent, "--every", "500", "--size", "16x16",
                            "--out", os.path.join(d, "render")] + (["--assets", assets] if assets else []),
                           check=True, capture_output=True)
            with open(log) as f:
                out[name] = [json.loads(line) for line in f]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mrbench", action="append", required=True, help="binary (repeat to compare builds)")
    ap.add_argument("--env", action="append", required=True, help="environment id per binary")
    ap.add_argument("--label", action="append", help="column label per binary")
    ap.add_argument("--assets", action="append", help="Assets directory per binary ('-': the repository's)")
    args = ap.parse_args()
    mw, tcp = mw_traces()
    cols = [("Meta-World v3", metrics(mw["gripper"], mw["lag"], mw["down"]))]
    labels = args.label or args.mrbench
    assets = args.assets or ["-"] * len(args.mrbench)
    for b, e, l, a in zip(args.mrbench, args.env, labels, assets):
        t = mrbench_traces(b, e, None if a == "-" else a)
        cols.append((l, metrics(t["gripper"], t["lag"], t["down"])))
    print(f"Meta-World tcp below hand: {tcp:.4f} m")
    print("| quantity | " + " | ".join(c[0] for c in cols) + " |")
    print("| --- |" + " --- |" * len(cols))
    for k in cols[0][1]:
        print(f"| {k} | " + " | ".join(str(c[1][k]) for c in cols) + " |")


if __name__ == "__main__":
    main()
