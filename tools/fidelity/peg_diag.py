#!/usr/bin/env python3
"""Peg-insert-side: why Meta-World's scripted policy fails, on Meta-World and on mrbench.

    # Meta-World v3: ML1(seed s) test and train tasks for s in --mw-seeds, per-step traces
    /work/venv-mw/bin/python tools/fidelity/peg_diag.py mw --mw-seeds 0,1,2 --out /tmp/peg/mw.json
    # mrbench: a copy of Assets whose ml1-peg-insert-side-<v> test split holds the test and train
    # goals of the task sets generated with --gen-seeds (through the agent protocol, goal visible)
    /work/venv-mw/bin/python tools/fidelity/peg_diag.py ours --mrbench .build/release/mrbench \
        --gen-seeds 20260,1,2 --out /tmp/peg/ours.json
    # both: success with Wilson 95% intervals, Fisher's exact test, failure modes
    /work/venv-mw/bin/python tools/fidelity/peg_diag.py report /tmp/peg/mw.json /tmp/peg/ours.json

Both sides are traced from the observation alone (hand, gripper opening, the peg's grasp point and
quaternion; the head is grasp − R·(0.03, 0, 0.01) + R·(−0.1, 0, 0), Meta-World's pegHead site), so
the two traces and their classification are computed the same way. Success is v3's
‖(head − goal) ⊙ (1, 2, 2)‖ ≤ 0.07 at some step.
"""
import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import warnings

import numpy as np

warnings.filterwarnings("ignore")
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
STEPS = 500
SCALE = np.array([1.0, 2.0, 2.0])


def quat_matrix(q):
    x, y, z, w = q
    n = math.sqrt(x * x + y * y + z * z + w * w) or 1.0
    x, y, z, w = x / n, y / n, z / n, w / n
    return np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
                     [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
                     [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)]])


def frame(o):
    """One step's record from an observation: hand, gripper, grasp point, head, peg axis (head→end)."""
    o = np.asarray(o, dtype=np.float64)
    R = quat_matrix(o[7:11])
    grasp = o[4:7]
    centre = grasp - R @ np.array([0.03, 0.0, 0.01])
    head = centre + R @ np.array([-0.1, 0.0, 0.0])
    axis = R @ np.array([1.0, 0.0, 0.0])
    return dict(hand=o[0:3].tolist(), grip=float(o[3]), grasp=grasp.tolist(), head=head.tolist(), axis=axis.tolist())


def classify(trace, goal, box, mouth_dx):
    """What happened in one episode. `mouth_dx`: the hole's mouth is at box x + mouth_dx."""
    goal = np.asarray(goal)
    hand = np.array([f["hand"] for f in trace])
    grasp = np.array([f["grasp"] for f in trace])
    head = np.array([f["head"] for f in trace])
    axis = np.array([f["axis"] for f in trace])
    err = np.linalg.norm((head - goal) * SCALE, axis=1)
    success_step = int(np.argmax(err <= 0.07)) if (err <= 0.07).any() else None
    lifted = grasp[:, 2] > 0.05
    first_lift = int(np.argmax(lifted)) if lifted.any() else None
    end = trace[-1]
    held_end = np.linalg.norm(grasp[-1] - (hand[-1] - [0, 0, 0.045])) < 0.05 and grasp[-1, 2] > 0.05
    mouth = box[0] + mouth_dx
    hy, hz = head[-1, 1] - goal[1], head[-1, 2] - goal[2]
    moved = float(np.linalg.norm(head[-1] - head[-50])) if len(head) > 50 else 0.0
    info = dict(success=success_step is not None, success_step=success_step, min_err=float(err.min()),
                end_err=float(err[-1]), first_lift=first_lift,
                end_head_rel=[float(head[-1, 0] - mouth), float(hy), float(hz)],
                end_pitch_deg=float(math.degrees(math.asin(max(-1, min(1, axis[-1, 2]))))),
                end_yaw_deg=float(math.degrees(math.atan2(axis[-1, 1], axis[-1, 0]))),
                end_grip=float(end["grip"]), head_moved_last50=moved,
                grasp_in_hand_end=(grasp[-1] - hand[-1]).tolist())
    # The policy's stage each step (SawyerPegInsertionSideV3Policy._desired_pos): 1 above the peg,
    # 2 descend onto it, 3 carry to the hole's line, 4 push in. A 3/4 → 2 switch is a "relapse".
    gap = hand[:, 2] - grasp[:, 2]
    far = np.linalg.norm(hand[:, :2] - grasp[:, :2], axis=1) > 0.04
    line = np.linalg.norm(grasp[:, 1:] - [goal[1], 0.16], axis=1) > 0.03
    stage = np.where(far, 1, np.where(np.abs(gap) > 0.025, 2, np.where(line, 3, 4)))
    upto = success_step if success_step is not None else len(stage)
    t3 = int(np.argmax(stage[:upto] >= 3)) if (stage[:upto] >= 3).any() else None
    relapses = [t for t in range(1, upto) if stage[t] == 2 and stage[t - 1] >= 3]
    info.update(t_stage3=t3, grip_at_stage3=None if t3 is None else float(trace[t3]["grip"]),
                hand_min_z=float(hand[:upto, 2].min()),
                gap_lift=None if t3 is None or t3 + 10 >= upto else float(gap[t3 + 10]),
                gap_max_held=float(gap[t3:upto][grasp[t3:upto, 2] > 0.05].max()) if t3 is not None and (grasp[t3:upto, 2] > 0.05).any() else None,
                relapses=relapses[:5],
                relapse_grasp_z=[float(grasp[t, 2]) for t in relapses[:5]])
    if success_step is not None:
        info["mode"] = "success"
    elif relapses and relapses[0] < (first_lift if first_lift is not None else upto) + 3 and grasp[relapses[0], 2] < 0.04 \
            and (first_lift is None or not lifted[relapses[0]:].any()):
        info["mode"] = ("A: lifted before the pads closed, the peg ended > 2.5 cm below the hand, the policy went back "
                        "down and the grip held the hand on the lying peg above its 2.5 cm threshold")
    elif any(grasp[t, 2] >= 0.04 for t in relapses):
        info["mode"] = ("B: the peg sagged in the grip while carried (hand − grasp > 2.5 cm), the policy went back "
                        "down after it" + (" and it fell" if not held_end else ""))
    elif first_lift is None:
        info["mode"] = "grasp missed (never lifted)"
    elif not held_end:
        info["mode"] = "peg dropped / slipped out"
    elif head[-1, 0] > mouth + 0.005:
        inside = abs(hy) < 0.03 - 0.015 and abs(hz) < 0.03 - 0.015
        info["mode"] = ("jammed at the mouth (head aligned)" if inside else "head blocked by the box face (misaligned)") \
            + (", still moving" if moved > 0.01 else "")
    else:
        info["mode"] = "inside, error > 0.07 (y/z off)" + (", still moving" if moved > 0.01 else "")
    return info


# ---------------------------------------------------------------- Meta-World

def run_mw(args):
    import metaworld
    from mw_agent import policy_for
    policy = policy_for("peg-insert-side")
    episodes = []
    for s in [int(x) for x in args.mw_seeds.split(",")]:
        ml1 = metaworld.ML1("peg-insert-side-v3", seed=s)
        env = ml1.train_classes["peg-insert-side-v3"]()
        for split, tasks in (("test", ml1.test_tasks), ("train", ml1.train_tasks)):
            for i, t in enumerate(tasks):
                env.set_task(t)
                env._partially_observable = False
                o, _ = env.reset()
                box = env.model.body("box").pos.copy()
                goal = env._target_pos.copy()
                f0 = frame(o)
                site_head = env._get_site_pos("pegHead")
                assert np.allclose(site_head, f0["head"], atol=1e-3), (site_head, f0["head"])
                trace = [f0]
                info_success = False
                for _ in range(STEPS):
                    o, r, _, _, info = env.step(np.clip(policy.get_action(o), -1, 1))
                    trace.append(frame(o))
                    info_success = info_success or bool(info["success"])
                c = classify(trace, goal, box, 0.096)
                assert c["success"] == info_success, (s, split, i)
                episodes.append(dict(side="mw", seed=s, split=split, index=i, goal=goal.tolist(), box=box.tolist(),
                                     peg=o[4:7].tolist() if False else trace[0]["grasp"], **c,
                                     trace=trace if not c["success"] or args.keep_all else None))
                print(s, split, i, c["mode"], file=sys.stderr, flush=True)
    return episodes


# ---------------------------------------------------------------- mrbench

def run_ours(args):
    work = tempfile.mkdtemp(prefix="pegdiag-")
    assets = os.path.join(work, "Assets")
    shutil.copytree(os.path.join(ROOT, "Assets"), assets)
    bench = f"ml1-peg-insert-side-{args.version}"
    entries = []
    for s in args.gen_seeds.split(","):
        subprocess.run([args.mrbench, "tasksets", "generate", bench, "--seed", s, "--assets", assets],
                       check=True, capture_output=True)
        with open(os.path.join(assets, "tasksets", bench + ".json")) as f:
            ts = json.load(f)
        entries += [(int(s), "test", i, e) for i, e in enumerate(ts["test"])] + \
                   [(int(s), "train", i, e) for i, e in enumerate(ts["train"])]
    if args.env:
        for *_, e in entries:
            e["env"] = args.env
    ts["test"] = [e for *_, e in entries]
    with open(os.path.join(assets, "tasksets", bench + ".json"), "w") as f:
        json.dump(ts, f, indent=1)
    env_id = entries[0][3]["env"]
    if args.via == "render":
        # `mrbench render --task K` takes the K-th entry for the environment of the first benchmark
        # that has any: put these goals in every task set that runs the environment.
        for name in sorted(os.listdir(os.path.join(assets, "tasksets"))):
            if not name.endswith(".json"):
                continue
            path = os.path.join(assets, "tasksets", name)
            with open(path) as f:
                other = json.load(f)
            if any(e["env"] == env_id for e in other["test"] + other["train"]):
                other["test"] = [e for e in other["test"] if e["env"] != env_id] + [e for *_, e in entries]
                other["train"] = [e for e in other["train"] if e["env"] != env_id]
                with open(path, "w") as f:
                    json.dump(other, f, indent=1)
    subprocess.run([args.mrbench, "tasksets", "manifest", "--assets", assets], check=True, capture_output=True)
    logdir = os.path.join(work, "logs")
    os.makedirs(logdir)
    if args.via == "render":
        return finish_render(args, work, assets, logdir, entries, env_id)
    agent = (f"cmd:{sys.executable} {os.path.join(HERE, 'mw_agent.py')} --mode policy --task peg-insert-side "
             f"--taskset {os.path.join(assets, 'tasksets', bench + '.json')} --log-dir {logdir}")
    out = os.path.join(work, "entry.json")
    cmd = [args.mrbench, "evaluate", "--agent", agent, "--benchmark", bench, "--seeds", "1", "--threads",
           str(args.threads), "--output", out, "--assets", assets, "--no-sandbox"]
    print(" ".join(cmd), file=sys.stderr)
    subprocess.run(cmd, check=True, cwd=ROOT)
    with open(out) as f:
        entry = json.load(f)
    episodes = []
    for k, (s, split, i, e) in enumerate(entries):
        with open(os.path.join(logdir, f"entry-{k}.jsonl")) as f:
            obs = [json.loads(line) for line in f]
        trace = [frame(o) for o in obs[:STEPS + 1]]
        p = e["params"]
        goal = [p["goal"][c] for c in "xyz"]
        box = [p["fixture"][c] for c in "xyz"]
        c = classify(trace, goal, box, args.mouth_dx)
        episodes.append(dict(side="ours", seed=s, split=split, index=i, goal=goal, box=box,
                             peg=[p["object"][c] for c in "xyz"], **c,
                             trace=trace if not c["success"] or args.keep_all else None))
    t = next(iter(entry["results"]["tasks"].values()))
    ours = sum(e["success"] for e in episodes) / len(episodes)
    print(f"mrbench entry success {t['successRate']:.4f}, from the traces {ours:.4f} ({len(episodes)} goals)", file=sys.stderr)
    if not args.keep_work:
        shutil.rmtree(work)
    return episodes


def finish_render(args, work, assets, logdir, entries, env_id):
    """One episode per goal (`mrbench render`, goal visible in the observation): 1/13 of a trial's cost."""
    from concurrent.futures import ThreadPoolExecutor

    def one(k):
        d = os.path.join(logdir, str(k))
        os.makedirs(d)
        agent = f"cmd:{sys.executable} {os.path.join(HERE, 'mw_agent.py')} --mode policy --task peg-insert-side --log-dir {d}"
        r = subprocess.run(["nice", "-n", "10", args.mrbench, "render", "--env", env_id, "--task", str(k), "--agent", agent,
                            "--every", "1000", "--size", "64x64", "--out", os.path.join(d, "render"), "--json",
                            "--assets", assets], capture_output=True, text=True, cwd=ROOT)
        if r.returncode:
            raise SystemExit(f"render {k}: {r.stderr}")
        summary = json.loads(r.stdout)
        with open(os.path.join(d, "entry-0.jsonl")) as f:
            obs = [json.loads(line) for line in f]
        return summary["episodes"][0]["success"], obs

    with ThreadPoolExecutor(args.threads) as pool:
        results = list(pool.map(one, range(len(entries))))
    episodes = []
    agree = 0
    for (s, split, i, e), (reported, obs) in zip(entries, results):
        trace = [frame(o) for o in obs[:STEPS + 1]]
        p = e["params"]
        goal = [p["goal"][c] for c in "xyz"]
        box = [p["fixture"][c] for c in "xyz"]
        c = classify(trace, goal, box, args.mouth_dx)
        agree += c["success"] == reported
        episodes.append(dict(side="ours", env=env_id, seed=s, split=split, index=i, goal=goal, box=box,
                             peg=[p["object"][c] for c in "xyz"], **c,
                             trace=trace if not c["success"] or args.keep_all else None))
    print(f"{env_id}: the traces' success agrees with mrbench's on {agree}/{len(entries)} goals", file=sys.stderr)
    if not args.keep_work:
        shutil.rmtree(work)
    return episodes


# ---------------------------------------------------------------- report

def wilson(k, n, z=1.959964):
    if n == 0:
        return (float("nan"),) * 2
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return c - h, c + h


def fisher(a, b, c, d):
    """Two-sided Fisher exact p for [[a, b], [c, d]]."""
    try:
        from scipy.stats import fisher_exact
        return float(fisher_exact([[a, b], [c, d]])[1])
    except ImportError:
        n1, n2, m = a + b, c + d, a + c
        lp = lambda x: math.lgamma(x + 1)
        def pr(x):
            return math.exp(lp(n1) + lp(n2) + lp(m) + lp(n1 + n2 - m) - lp(x) - lp(n1 - x) - lp(m - x) - lp(n2 - m + x) - lp(n1 + n2))
        p0 = pr(a)
        return min(1.0, sum(pr(x) for x in range(max(0, m - n2), min(n1, m) + 1) if pr(x) <= p0 * (1 + 1e-7)))


def report(args):
    sides = []
    for path in args.files:
        with open(path) as f:
            eps = json.load(f)
        for e in eps:   # classify again from the kept traces (the rules may be newer than the file)
            if e.get("trace"):
                e.update(classify(e["trace"], e["goal"], e["box"], 0.096 if e["side"] == "mw" else args.mouth_dx))
        sides.append(eps)
    rows = []
    for eps in sides:
        n = len(eps)
        k = sum(e["success"] for e in eps)
        lo, hi = wilson(k, n)
        rows.append((eps[0]["side"], k, n, lo, hi))
        print(f"{eps[0]['side']}: {k}/{n} = {k / n:.1%} (Wilson 95% {lo:.1%}–{hi:.1%})")
        modes = {}
        for e in eps:
            modes.setdefault(e["mode"], []).append(e)
        for m, es in sorted(modes.items(), key=lambda x: -len(x[1])):
            print(f"  {len(es):4d}  {m}")
        for label, group in (("successes", [e for e in eps if e["success"]]), ("failures", [e for e in eps if not e["success"]])):
            g3 = [e["grip_at_stage3"] for e in group if e.get("grip_at_stage3") is not None]
            hz = [e["hand_min_z"] for e in group if e.get("hand_min_z") is not None]
            gl = [e["gap_lift"] for e in group if e.get("gap_lift") is not None]
            if g3:
                q = lambda v: "/".join(f"{x:.4f}" for x in np.percentile(v, [5, 50, 95]))
                print(f"  {label}: gripper opening when the hand first gets within 2.5 cm (p5/p50/p95) {q(g3)}; "
                      f"lowest hand z {q(hz)}; hand − grasp z 10 steps later {q(gl) if gl else '—'}")
    if len(rows) == 2:
        (_, k1, n1, *_), (_, k2, n2, *_) = rows
        print(f"Fisher exact (two-sided) p = {fisher(k1, n1 - k1, k2, n2 - k2):.3g}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["mw", "ours", "report"])
    ap.add_argument("files", nargs="*")
    ap.add_argument("--mw-seeds", default="0")
    ap.add_argument("--mrbench")
    ap.add_argument("--version", default="v2", help="the ml1-peg-insert-side-<version> benchmark to copy")
    ap.add_argument("--env", help="run these goals on another environment id (e.g. an unregistered candidate)")
    ap.add_argument("--gen-seeds", default="20260")
    ap.add_argument("--mouth-dx", type=float, default=0.03, help="mrbench's mouth at box x + this (v2: 0.03)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--via", choices=["render", "evaluate"], default="render",
                    help="render: one episode per goal (mrbench render, no sandbox); evaluate: full trials through evaluate")
    ap.add_argument("--keep-all", action="store_true", help="keep the traces of successful episodes too")
    ap.add_argument("--keep-work", action="store_true")
    ap.add_argument("--out")
    args = ap.parse_args()
    sys.path.insert(0, HERE)
    if args.what == "report":
        return report(args)
    eps = run_mw(args) if args.what == "mw" else run_ours(args)
    with open(args.out, "w") as f:
        json.dump(eps, f)
    k = sum(e["success"] for e in eps)
    print(f"{k}/{len(eps)}", file=sys.stderr)


if __name__ == "__main__":
    main()
