"""Throughput of mrbench's environments through Python (the `mrbench` package), measured the way
../shared/tools/anchors/bench_env.py measures the Gymnasium / Gymnasium-Robotics / Meta-World
anchors: uniform random actions pre-generated with NumPy, resets at episode end, warm-up, then a
timed segment from a fresh episode. One JSON line per run.

  single: gymnasium.make("mrbench/<id>") (Gymnasium's TimeLimit, OrderEnforcing and
          PassiveEnvChecker wrappers, as the anchors' "wrapped" stack); pin it to one core:
            taskset -c 0 python tools/python/bench.py single half-cheetah-vel-v2
  vector: gymnasium.make_vec("mrbench/<id>", num_envs=N, threads=T): env steps per second over
          all N slots, to compare with `mrbench bench <id> --threads T`:
            python tools/python/bench.py vector half-cheetah-vel-v2 --num-envs 16 --threads 2
"""
import argparse
import json
import os
import time
import warnings

import gymnasium as gym
import numpy as np

import mrbench

warnings.filterwarnings("ignore")

ap = argparse.ArgumentParser()
ap.add_argument("mode", choices=["single", "vector"])
ap.add_argument("env", help="an mrbench environment id, e.g. ml10/reach-v2")
ap.add_argument("--steps", type=int, default=20000, help="timed env steps (vector: over all slots)")
ap.add_argument("--warmup", type=int, default=2000)
ap.add_argument("--seed", type=int, default=0)
ap.add_argument("--num-envs", type=int, default=16)
ap.add_argument("--threads", type=int, default=2)
args = ap.parse_args()

gid = mrbench.gym_id(args.env)
rng = np.random.default_rng(args.seed)
pc = time.perf_counter

if args.mode == "single":
    env = gym.make(gid)
    env.reset(seed=args.seed)
    n_act = env.action_space.shape[0]
    actions = rng.uniform(-1, 1, size=(args.warmup + args.steps, n_act)).astype(np.float32)

    def run(chunk):
        step, reset = env.step, env.reset
        t0 = pc()
        for a in chunk:
            _, _, term, trunc, _ = step(a)
            if term or trunc:
                reset()
        return pc() - t0

    run(actions[: args.warmup])
    env.reset()
    elapsed = run(actions[args.warmup:])
    steps = args.steps
else:
    env = gym.make_vec(gid, num_envs=args.num_envs, threads=args.threads)
    env.reset(seed=args.seed)
    calls = max(1, args.steps // args.num_envs)
    warm = max(1, args.warmup // args.num_envs)
    actions = rng.uniform(-1, 1, size=(warm + calls,) + env.action_space.shape).astype(np.float32)

    def run(chunk):
        step = env.step
        t0 = pc()
        for a in chunk:
            step(a)  # auto-resets inside, next-step convention
        return pc() - t0

    run(actions[:warm])
    elapsed = run(actions[warm:])
    steps = calls * args.num_envs

print(json.dumps({"env": args.env, "mode": args.mode, "num_envs": args.num_envs if args.mode == "vector" else 1,
                  "threads": args.threads if args.mode == "vector" else 1, "steps": steps, "elapsed_s": elapsed,
                  "steps_per_s": steps / elapsed, "cpu_affinity": sorted(os.sched_getaffinity(0)),
                  "loadavg": os.getloadavg()}))
