"""Per-call cost of the vector environment, split into the library call and the Python around it.

For each thread count, steps an `MRBenchVectorEnv` `--calls` times with fixed random actions and
prints one JSON line with, per call (median of `--repeats` timed segments, microseconds):

  c_call_us   `mrbench_vec_step` alone, called through ctypes with the vector's own buffers
              (the library's work: N environment steps plus the threads' hand-over)
  step_us     the whole `vec.step(actions)` (action check, the same C call, copies, info dict)
  cpu_us      process CPU time per C call (all threads: includes workers' spinning)
  call_median_us  the median of the C calls timed one by one (with p10 and p90): on a loaded
              host the typical call, not the ones the OS interrupted

A cheap environment (point-nav-v1, ~2 µs a step) shows the hand-over cost itself:

  python tools/python/vec_overhead.py point-nav-v1 --num-envs 2 --threads 1 2
  python tools/python/vec_overhead.py half-cheetah-vel-v2 --num-envs 16 --threads 1 2
"""
import argparse
import json
import os
import statistics
import time
import warnings

import gymnasium as gym
import numpy as np

import mrbench
from mrbench._lib import lib

warnings.filterwarnings("ignore")

ap = argparse.ArgumentParser()
ap.add_argument("env")
ap.add_argument("--num-envs", type=int, default=2)
ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
ap.add_argument("--calls", type=int, default=2000, help="calls per timed segment")
ap.add_argument("--repeats", type=int, default=5)
ap.add_argument("--seed", type=int, default=0)
args = ap.parse_args()

pc, cpu = time.perf_counter, time.process_time
rng = np.random.default_rng(args.seed)
for threads in args.threads:
    vec = gym.make_vec(mrbench.gym_id(args.env), num_envs=args.num_envs, threads=threads)
    vec.reset(seed=args.seed)
    actions = rng.uniform(-1, 1, size=(args.calls,) + vec.action_space.shape).astype(np.float32)
    a, o, r, st, su = vec._ptrs
    alen, olen, fn, handle = vec._abuf.size, vec._obuf.size, lib.mrbench_vec_step, vec._vec
    vec._abuf[...] = actions[0]

    def c_calls():
        t0, c0 = pc(), cpu()
        for _ in range(args.calls):
            fn(handle, a, alen, o, olen, r, st, su)
        return (pc() - t0) / args.calls * 1e6, (cpu() - c0) / args.calls * 1e6

    def each_call():
        """Every call timed on its own: the median call is one the OS did not interrupt."""
        t = np.empty(args.calls)
        ns = time.perf_counter_ns
        for k in range(args.calls):
            t0 = ns()
            fn(handle, a, alen, o, olen, r, st, su)
            t[k] = ns() - t0
        return t / 1e3

    def steps():
        step = vec.step
        t0 = pc()
        for x in actions:
            step(x)
        return (pc() - t0) / args.calls * 1e6

    steps()  # warm-up
    c_call, step_us, cpu_us, single = [], [], [], []
    for _ in range(args.repeats):
        w, c = c_calls()
        c_call.append(w)
        cpu_us.append(c)
        step_us.append(steps())
        single.append(each_call())
    single = np.concatenate(single)
    vec.close()
    med = lambda v: round(statistics.median(v), 2)
    print(json.dumps({"env": args.env, "num_envs": args.num_envs, "threads": threads, "c_call_us": med(c_call),
                      "c_call_range": [round(min(c_call), 2), round(max(c_call), 2)], "step_us": med(step_us),
                      "step_range": [round(min(step_us), 2), round(max(step_us), 2)], "cpu_us": med(cpu_us),
                      "call_median_us": round(float(np.median(single)), 2), "call_p10_p90_us": [round(float(x), 2) for x in np.percentile(single, [10, 90])],
                      "loadavg": [round(x, 2) for x in os.getloadavg()]}), flush=True)
