"""Gymnasium-Robotics side of the Fetch fidelity comparison (FetchReach-v4 by default).

Same action stream, reset seeds and metric definitions as `LocoFidelity fetch` (tools/fidelity/README.md).
Prints one JSON object:

  python fetch_gym.py [--env FetchReach-v4] [--episodes 200]

- step_cm_full / step_cm_half: gripper displacement along x per control step (cm) under a constant
  action (+1 or +0.5 on x, 0 elsewhere), mean over steps 1-5 after reset, over 10 reset seeds;
  step1_cm_*: the first step alone; step5_cm_*: the fifth alone.
- random_success_any / random_success_final: fraction of episodes (uniform random actions, horizon
  50) in which `is_success` held at some step / at the last step.
"""
from __future__ import annotations

import argparse
import json
import warnings

import numpy as np

from locomotion_gym import SplitMix64, action_seed

warnings.filterwarnings("ignore")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--env", default="FetchReach-v4")
    ap.add_argument("--episodes", type=int, default=200)
    args = ap.parse_args()
    import gymnasium as gym
    import gymnasium_robotics

    gym.register_envs(gymnasium_robotics)
    env = gym.make(args.env)
    out = {"env": args.env, "episodes": args.episodes}
    for name, s in (("full", 1.0), ("half", 0.5)):
        steps = []
        for seed in range(10):
            o, _ = env.reset(seed=seed)
            p = o["observation"][:3].copy()
            for k in range(5):
                o, *_ = env.step(np.array([s, 0, 0, 0], dtype=np.float32))
                q = o["observation"][:3].copy()
                steps.append((k, 100 * (q[0] - p[0])))
                p = q
        out[f"step_cm_{name}"] = float(np.mean([d for _, d in steps]))
        out[f"step1_cm_{name}"] = float(np.mean([d for k, d in steps if k == 0]))
        out[f"step5_cm_{name}"] = float(np.mean([d for k, d in steps if k == 4]))
    anyk = final = 0
    for ep in range(args.episodes):
        env.reset(seed=ep)
        rng = SplitMix64(action_seed(ep))
        hit = False
        for t in range(50):
            _, _, _, _, info = env.step(np.array([rng.uniform() for _ in range(4)], dtype=np.float32))
            hit = hit or bool(info["is_success"])
        anyk += hit
        final += bool(info["is_success"])
    out["random_success_any"] = anyk / args.episodes
    out["random_success_final"] = final / args.episodes
    print(json.dumps(out))


if __name__ == "__main__":
    main()
