#!/usr/bin/env python3
"""ML10 side by side: Meta-World v3 against mrbench, task by task.

    /work/venv-mw/bin/python tools/fidelity/ml10_compare.py --mrbench .build/release/mrbench --version v2 [--tasks push,sweep]

Per task, four figures on each side:
  - Meta-World v3's scripted policy (metaworld.policies), goal visible: success rate. On Meta-World,
    40 goals of ML1(seed 0)'s test tasks with the goal shown; on mrbench, the 40 test goals of
    ml1-<task>-<version> through the agent protocol (mw_agent.py --mode policy, which puts the
    goal from the frozen task set into the observation), 1 seed, the evaluation episodes' success.
  - mrbench's built-in expert on the same benchmark (`--agent expert`).
  - A uniform random policy's mean episode return: goal i replays numpy default_rng(i)'s actions
    on both sides (500 steps).
Prints a Markdown table and writes the raw numbers as JSON (--json).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import warnings

import numpy as np

warnings.filterwarnings("ignore")
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from mw_agent import policy_for  # noqa: E402

TASKS = ["reach", "push", "pick-place", "door-open", "drawer-close", "button-press-topdown", "peg-insert-side",
         "window-open", "sweep", "basketball", "drawer-open", "door-close", "shelf-place", "sweep-into", "lever-pull"]
MW_NAME = {"peg-insert-side": "peg-insert-side-v3", "sweep-into": "sweep-into-v3"}
GOALS = 40


def mw_env(task):
    import metaworld
    name = MW_NAME.get(task, task + "-v3")
    ml1 = metaworld.ML1(name, seed=0)
    env = ml1.test_classes[name]()
    return env, ml1.test_tasks[:GOALS]


def mw_figures(task, random_goals):
    env, tasks = mw_env(task)
    policy = policy_for(task)
    wins = 0
    for t in tasks:
        env.set_task(t)
        env._partially_observable = False
        o, _ = env.reset()
        ok = False
        for _ in range(500):
            o, r, _, _, info = env.step(np.clip(policy.get_action(o), -1, 1))
            ok = ok or bool(info["success"])
        wins += ok
    returns = []
    for i, t in enumerate(tasks[:random_goals]):
        env.set_task(t)
        env.reset()
        rng = np.random.default_rng(i)
        total = 0.0
        for _ in range(500):
            _, r, *_ = env.step(rng.uniform(-1, 1, 4))
            total += r
        returns.append(total)
    return wins / len(tasks), float(np.mean(returns))


ASSETS = None   # --assets: another Assets directory (e.g. an older revision's, with its binary)


def evaluate(binary, benchmark, agent, directory, shard=None):
    out = os.path.join(directory, agent.split()[0].replace("/", "_").replace(":", "_") + ".json")
    cmd = [binary, "evaluate", "--agent", agent, "--benchmark", benchmark, "--seeds", "1", "--threads", "2", "--output", out]
    if ASSETS:
        cmd += ["--assets", ASSETS]
    if agent.startswith("cmd:"):
        # The sandboxed agent must see this Python (the venv and the interpreter it links to) and the task sets.
        for path in sorted({sys.prefix, os.path.realpath(sys.base_prefix), os.path.join(ASSETS or os.path.join(ROOT, "Assets"), "tasksets")}):
            cmd += ["--agent-bind", path]
    if shard:
        cmd += ["--shard", shard]
    subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)
    with open(out) as f:
        e = json.load(f)
    t = next(iter(e["results"]["tasks"].values()))
    return t["successRate"], t["meanReturn"]


def mrbench_figures(binary, task, version, random_shard, policy_shard, expert=True, policy=True):
    bench = f"ml1-{task}-{version}"
    taskset = os.path.join(ASSETS or os.path.join(ROOT, "Assets"), "tasksets", bench + ".json")
    agent = os.path.join(HERE, "mw_agent.py")
    with tempfile.TemporaryDirectory() as d:
        policy = evaluate(binary, bench, f"cmd:{sys.executable} {agent} --mode policy --task {task} --taskset {taskset}", d,
                          shard=policy_shard if policy_shard != "1/1" else None)[0] if policy else None
        expert = evaluate(binary, bench, "expert", d, shard=policy_shard if policy_shard != "1/1" else None)[0] if expert else None
        os.makedirs(os.path.join(d, "r"))
        _, random_return = evaluate(binary, bench, f"cmd:{sys.executable} {agent} --mode random --taskset {taskset}",
                                    os.path.join(d, "r"), shard=random_shard)
    return policy, expert, random_return


def mw_side(task, random_goals):
    """Meta-World v3's own figures: policy success on 40 goals, random return on goals 0, k, 2k…"""
    mw_policy, _ = mw_figures(task, 0)
    env, tasks = mw_env(task)
    k = GOALS // random_goals
    rets = []
    for i in range(0, GOALS, k):
        env.set_task(tasks[i])
        env.reset()
        rng = np.random.default_rng(i)
        rets.append(sum(env.step(rng.uniform(-1, 1, 4))[1] for _ in range(500)))
    return dict(mw_policy_on_mw=mw_policy, random_return_mw=float(np.mean(rets)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mrbench", help="the mrbench binary (omit to compute only Meta-World's side)")
    ap.add_argument("--version", default="v2")
    ap.add_argument("--tasks", default=",".join(TASKS))
    ap.add_argument("--random-goals", type=int, default=10, help="goals for the random return (every 40/N-th test goal)")
    ap.add_argument("--policy-shard", default="1/1", help="run the policy and expert on shard K/N of the 40 goals")
    ap.add_argument("--reference", default=os.path.join(HERE, "mw_v3_reference.json"),
                    help="Meta-World's side, cached (computed and written when a task is missing)")
    ap.add_argument("--skip-expert", action="store_true", help="leave out mrbench's expert (read it from the leaderboard entries)")
    ap.add_argument("--skip-policy", action="store_true", help="leave out Meta-World's policy on mrbench (random returns only)")
    ap.add_argument("--assets", help="the Assets directory to evaluate on (default: the repository's)")
    ap.add_argument("--json")
    args = ap.parse_args()
    global ASSETS
    ASSETS = os.path.abspath(args.assets) if args.assets else None
    shard = f"1/{GOALS // args.random_goals}"   # entries 0, k, 2k…: the Meta-World side uses the same indices
    reference = {}
    if os.path.exists(args.reference):
        with open(args.reference) as f:
            reference = json.load(f)
    rows = {}
    for task in args.tasks.split(","):
        if task not in reference:
            reference[task] = mw_side(task, args.random_goals)
            with open(args.reference, "w") as f:
                json.dump(reference, f, indent=1, sort_keys=True)
        rows[task] = dict(reference[task])
        if args.mrbench:
            p, e, r = mrbench_figures(args.mrbench, task, args.version, shard, args.policy_shard, expert=not args.skip_expert, policy=not args.skip_policy)
            rows[task].update(mw_policy_on_mrbench=p, mrbench_expert=e, random_return_mrbench=r)
        print(task, json.dumps(rows[task]), file=sys.stderr, flush=True)
    if not args.mrbench:
        return
    print("| task | MW policy on MW v3 | MW policy on mrbench | mrbench expert | random return MW v3 | random return mrbench | ratio |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for t, r in rows.items():
        ratio = r["random_return_mrbench"] / r["random_return_mw"] if r["random_return_mw"] else float("nan")
        print(f"| {t} | {r['mw_policy_on_mw']:.0%} | {'—' if r['mw_policy_on_mrbench'] is None else format(r['mw_policy_on_mrbench'], '.0%')} | {'—' if r['mrbench_expert'] is None else format(r['mrbench_expert'], '.0%')} | "
              f"{r['random_return_mw']:.1f} | {r['random_return_mrbench']:.1f} | {ratio:.2f} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
