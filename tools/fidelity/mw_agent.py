#!/usr/bin/env python3
"""An mrbench external agent (docs/agent-protocol.md) for the Meta-World comparison.

Modes:
  --mode policy --task NAME   Meta-World v3's scripted policy for NAME (metaworld.policies).
  --mode random               uniform actions from numpy's default_rng(seed of the test entry),
                              the same sequence ml10_compare.py feeds Meta-World.
  --mode probe --sequence S   the rig probe's fixed action sequence S (gripper, lag, down), then zeros;
                              observations appended as JSON lines to --log.

When the benchmark hides the goal (ml1-*), the policy is given the goal by this agent, which reads
the frozen task set (--taskset) and maps the protocol's trial index to its test entry as the
evaluation plan does (entry = trial mod number of test entries); it is a privileged reference,
like mrbench's built-in expert. Run it with a Python that has metaworld installed.
"""
import argparse
import json
import os
import re
import sys
import warnings

import numpy as np

warnings.filterwarnings("ignore")


def send(message):
    sys.stdout.write(json.dumps(message, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def probe_sequence(name):
    if name == "gripper":
        return [[0, 0, 0, 1]] * 20 + [[0, 0, 0, -1]] * 20
    if name == "lag":
        return [[1, 0, 0, -1]] * 20 + [[0, 0, 0, -1]] * 20
    if name == "down":
        return [[0, 0, -1, -1]] * 10
    raise SystemExit(f"unknown sequence {name}")


def policy_for(task):
    if "metaworld" not in sys.modules:
        # Import the policy modules alone, without metaworld/__init__ (its environments, MuJoCo,
        # Gymnasium): the same classes, a start of a fraction of a second rather than several.
        import importlib.util
        import types
        base = os.path.dirname(importlib.util.find_spec("metaworld").origin)
        for name, path in (("metaworld", base), ("metaworld.policies", os.path.join(base, "policies"))):
            m = types.ModuleType(name)
            m.__path__ = [path]
            sys.modules[name] = m
        module = importlib.import_module("metaworld.policies." + POLICY_MODULES[task])
        return getattr(module, POLICIES[task])()
    import metaworld.policies as P
    names = POLICIES
    return getattr(P, names[task])()


POLICIES = {
        "reach": "SawyerReachV3Policy", "push": "SawyerPushV3Policy", "pick-place": "SawyerPickPlaceV3Policy",
        "door-open": "SawyerDoorOpenV3Policy", "drawer-close": "SawyerDrawerCloseV3Policy",
        "button-press-topdown": "SawyerButtonPressTopdownV3Policy", "peg-insert-side": "SawyerPegInsertionSideV3Policy",
        "window-open": "SawyerWindowOpenV3Policy", "sweep": "SawyerSweepV3Policy", "basketball": "SawyerBasketballV3Policy",
        "drawer-open": "SawyerDrawerOpenV3Policy", "door-close": "SawyerDoorCloseV3Policy",
        "shelf-place": "SawyerShelfPlaceV3Policy", "sweep-into": "SawyerSweepIntoV3Policy", "lever-pull": "SawyerLeverPullV3Policy",
}

# metaworld/policies/<module>.py for each class: SawyerPegInsertionSideV3Policy → sawyer_peg_insertion_side_v3_policy.
POLICY_MODULES = {t: re.sub(r"(?<!^)(?=[A-Z])", "_", c).lower() for t, c in POLICIES.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", choices=["policy", "random", "probe"], required=True)
    ap.add_argument("--task")
    ap.add_argument("--taskset")
    ap.add_argument("--sequence")
    ap.add_argument("--log")
    ap.add_argument("--log-dir", help="every episode's observations to DIR/entry-<entry>[-ep<j>].jsonl (needs a writable DIR: --no-sandbox)")
    args = ap.parse_args()
    goals = None
    if args.taskset:
        with open(args.taskset) as f:
            test = json.load(f)["test"]
        goals = [[e["params"]["goal"][k] for k in "xyz"] for e in test]
    policy = policy_for(args.task) if args.mode == "policy" else None
    hides_goal = False
    entry = 0
    rng = None
    seq = probe_sequence(args.sequence) if args.mode == "probe" else None
    t = 0
    log = open(args.log, "a") if args.log else None
    episode_in_trial = 0

    def act(obs):
        nonlocal t
        o = np.asarray(obs, dtype=np.float64)
        if log:
            log.write(json.dumps(obs) + "\n")
        if args.mode == "probe":
            a = seq[t] if t < len(seq) else [0, 0, 0, -1]
        elif args.mode == "random":
            a = rng.uniform(-1, 1, 4)
        else:
            if hides_goal:
                o[36:39] = goals[entry]
            a = policy.get_action(o)
        t += 1
        return [float(min(max(x, -1.0), 1.0)) for x in a]

    for line in sys.stdin:
        m = json.loads(line)
        kind = m["type"]
        if kind == "hello":
            hides_goal = m["benchmark"]["hides_goal"]
            if hides_goal and args.mode == "policy" and goals is None:
                print("mw_agent: the benchmark hides the goal; pass --taskset", file=sys.stderr)
                return 1
            send({"type": "hello", "protocol": "mrbench-agent", "version": "1.0",
                  "agent": {"name": f"mw-{args.mode}", "version": "1.0"}})
        elif kind == "trial":
            entry = m["trial"] % len(goals) if goals else 0
            rng = np.random.default_rng(entry)
            episode_in_trial = 0
        elif kind == "episode":
            t = 0
            if args.log_dir:
                if log:
                    log.close()
                suffix = f"-ep{episode_in_trial}" if episode_in_trial else ""
                log = open(f"{args.log_dir}/entry-{entry}{suffix}.jsonl", "w")
                episode_in_trial += 1
            if args.mode == "random":
                rng = np.random.default_rng(entry)   # every episode replays the entry's sequence
            send({"type": "action", "action": act(m["observation"])})
        elif kind == "step":
            if not m["done"]:
                send({"type": "action", "action": act(m["observation"])})
            elif log:
                log.write(json.dumps(m["observation"]) + "\n")
                log.close()
                log = None
        elif kind == "adapt":
            send({"type": "adapted"})
        elif kind == "end":
            return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
