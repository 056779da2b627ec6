#!/usr/bin/env python3
"""Augmented random search (Mania et al. 2018, basic version) with a linear policy, NumPy only,
trained on a benchmark's train split through mrbench's vector environment.

    python examples/python/ars_train.py --benchmark point-nav-v1 --iterations 40 --out policy.json

Each iteration samples `--directions` perturbations d of the policy (W, b), runs the policy with
(W, b) ± nu·d on `--tasks` train tasks drawn afresh (all 2·directions·tasks episodes at once, one
vector-environment slot each, stepped across threads in Swift), and moves along the perturbations
weighted by their return differences. It prints the learning curve: the mean return of the
perturbed policies on that iteration's tasks, and every few iterations the return of the current
policy itself on a fixed set of train tasks.

The policy is a = clip(W·obs + b, -1, 1); it is written as JSON for examples/python/linear_agent.py.
"""
import argparse
import json
import os
import sys
import time

import numpy as np

import mrbench


def episode_returns(bench, tasks, weights, biases, seed, threads):
    """One episode per (task, policy) slot; returns each slot's undiscounted return."""
    n = len(tasks)
    vec = bench.make_vec(n, tasks=tasks, threads=threads)
    obs, _ = vec.reset(seed=seed)
    returns = np.zeros(n)
    running = np.ones(n, dtype=bool)
    for _ in range(vec.horizon):
        actions = np.clip(np.einsum("nij,nj->ni", weights, obs) + biases, -1.0, 1.0).astype(np.float32)
        obs, rewards, terminated, truncated, _ = vec.step(actions)
        returns += np.where(running, rewards, 0.0)
        running &= ~(terminated | truncated)
        if not running.any():
            break
    vec.close()
    return returns


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--benchmark", default="point-nav-v1")
    p.add_argument("--iterations", type=int, default=40)
    p.add_argument("--directions", type=int, default=8)
    p.add_argument("--tasks", type=int, default=4, help="train tasks per perturbation per iteration")
    p.add_argument("--step-size", type=float, default=0.02)
    p.add_argument("--noise", type=float, default=0.05)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="policy.json")
    args = p.parse_args()

    bench = mrbench.Benchmark(args.benchmark)
    rng = np.random.default_rng(args.seed)
    probe = bench.make_env(0)
    obs_dim, act_dim = probe.observation_space.shape[0], probe.action_space.shape[0]
    W = np.zeros((act_dim, obs_dim))
    b = np.zeros(act_dim)
    count = len(bench.train_tasks)
    fixed = [int(i) for i in np.linspace(0, count - 1, 16)]
    print(f"ARS on {args.benchmark}: {count} train tasks, linear policy {act_dim}x{obs_dim} + bias, "
          f"{args.directions} directions x {args.tasks} tasks per iteration", flush=True)

    def evaluate(W, b, seed):
        k = len(fixed)
        return episode_returns(bench, fixed, np.repeat(W[None], k, 0), np.repeat(b[None], k, 0), seed, args.threads).mean()

    print(f"iteration {0:3d}  current policy on 16 train tasks: {evaluate(W, b, 10**6):9.2f}", flush=True)
    start = time.time()
    for it in range(1, args.iterations + 1):
        N, M = args.directions, args.tasks
        dW = rng.standard_normal((N, act_dim, obs_dim))
        db = rng.standard_normal((N, act_dim))
        tasks = rng.choice(count, size=M, replace=False).tolist()
        # Slots: direction-major, then sign (+, -), then task; the same tasks and seeds for every perturbation.
        signs = np.array([1.0, -1.0])
        Ws = (W[None, None] + args.noise * signs[None, :, None, None] * dW[:, None]).repeat(M, axis=1).reshape(N * 2 * M, act_dim, obs_dim)
        bs = (b[None, None] + args.noise * signs[None, :, None] * db[:, None]).repeat(M, axis=1).reshape(N * 2 * M, act_dim)
        slot_tasks = tasks * (2 * N)
        seeds = [int(s) for s in np.tile(rng.integers(0, 2**31, size=M), 2 * N)]
        r = episode_returns(bench, slot_tasks, Ws, bs, seeds, args.threads).reshape(N, 2, M).mean(axis=2)
        plus, minus = r[:, 0], r[:, 1]
        sigma = r.std() + 1e-8
        W += args.step_size / (N * sigma) * np.einsum("n,nij->ij", plus - minus, dW)
        b += args.step_size / (N * sigma) * np.einsum("n,ni->i", plus - minus, db)
        line = f"iteration {it:3d}  perturbed policies' mean return: {r.mean():9.2f}"
        if it % 5 == 0 or it == args.iterations:
            line += f"   current policy on 16 train tasks: {evaluate(W, b, 10**6):9.2f}"
        print(line, flush=True)
    print(f"{args.iterations} iterations in {time.time() - start:.1f} s", flush=True)
    with open(args.out, "w") as f:
        json.dump({"benchmark": args.benchmark, "W": W.tolist(), "b": b.tolist()}, f)
    print(f"policy written to {args.out}; evaluate it with:\n"
          f"  mrbench evaluate --benchmark {args.benchmark} --agent-bind {os.path.dirname(os.path.abspath(args.out))} "
          f"--agent cmd:'python3 examples/python/linear_agent.py {args.out}'")
    return 0


if __name__ == "__main__":
    sys.exit(main())
