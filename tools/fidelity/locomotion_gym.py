"""Gymnasium side of the locomotion fidelity comparison (Ant-v5, HalfCheetah-v5).

Uniform random actions from a splitmix64 stream (tools/fidelity/README.md: the same generator and
seeds as `swift run -c release LocoFidelity`), the same metric definitions. Prints one JSON object.

  python locomotion_gym.py ant     [--episodes 200] [--steps 200] [--no-terminate]
  python locomotion_gym.py cheetah [--episodes 200] [--steps 200]
"""
from __future__ import annotations

import argparse
import json
import math
import warnings

import numpy as np

warnings.filterwarnings("ignore")

MASK = (1 << 64) - 1


class SplitMix64:
    """splitmix64; `uniform()` = (next >> 11) * 2^-53 mapped to [-1, 1)."""

    def __init__(self, seed: int):
        self.state = seed & MASK

    def next(self) -> int:
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def uniform(self) -> float:
        return (self.next() >> 11) * (1.0 / (1 << 53)) * 2.0 - 1.0


def action_seed(episode: int) -> int:
    return 1_000_003 * (episode + 1)


def percentile(v, q):
    return float(np.percentile(np.asarray(v, dtype=np.float64), q)) if len(v) else float("nan")


def run_ant(args):
    import gymnasium as gym

    env = gym.make("Ant-v5", terminate_when_unhealthy=not args.no_terminate).unwrapped
    heights, vz, terminated_eps, above, below, lengths = [], [], 0, 0, 0, []
    joint_speed, ankle, hip, tilt = [], [], [], []
    for ep in range(args.episodes):
        env.reset(seed=ep)
        rng = SplitMix64(action_seed(ep))
        n = 0
        for t in range(args.steps):
            a = args.action_scale * np.array([rng.uniform() for _ in range(8)])
            _, _, term, _, _ = env.step(a)
            n += 1
            z = float(env.data.qpos[2])
            heights.append(z)
            vz.append(float(env.data.qvel[2]))
            joint_speed.append(float(np.mean(np.abs(env.data.qvel[6:14]))))
            ankle.append(float(np.mean(np.abs(env.data.qpos[[8, 10, 12, 14]]))))
            hip.append(float(np.mean(np.abs(env.data.qpos[[7, 9, 11, 13]]))))
            w, x, y, zq = env.data.qpos[3:7]
            tilt.append(float(1 - 2 * (x * x + y * y)))
            if not (0.2 <= z <= 1.0) and not args.no_terminate or term:
                terminated_eps += 1
                above += z > 1.0
                below += z < 0.2
                break
        lengths.append(n)
    return {
        "env": "Ant-v5", "episodes": args.episodes, "steps": args.steps, "terminate": not args.no_terminate,
        "terminated_fraction": terminated_eps / args.episodes,
        "terminated_above": above / args.episodes, "terminated_below": below / args.episodes,
        "mean_length": float(np.mean(lengths)),
        "torso_z_p10": percentile(heights, 10), "torso_z_p50": percentile(heights, 50),
        "torso_z_p90": percentile(heights, 90), "torso_z_p99": percentile(heights, 99),
        "torso_z_above_1": float(np.mean(np.asarray(heights) > 1.0)),
        "vz_p99": percentile(vz, 99), "vz_p1": percentile(vz, 1),
        "joint_speed_mean": float(np.mean(joint_speed)),
        "ankle_abs_mean": float(np.mean(ankle)), "hip_abs_mean": float(np.mean(hip)),
        "upright_p10": percentile(tilt, 10), "upright_mean": float(np.mean(tilt)),
    }


def run_cheetah(args):
    import gymnasium as gym

    env = gym.make("HalfCheetah-v5").unwrapped
    vel, z, pitch_flip, joint_speed, vx_steps = [], [], 0, [], []
    for ep in range(args.episodes):
        env.reset(seed=ep)
        rng = SplitMix64(action_seed(ep))
        x0 = float(env.data.qpos[0])
        flipped = False
        for t in range(args.steps):
            a = args.action_scale * np.array([rng.uniform() for _ in range(6)])
            env.step(a)
            z.append(float(env.data.qpos[1]))
            joint_speed.append(float(np.mean(np.abs(env.data.qvel[3:9]))))
            vx_steps.append(float(env.data.qvel[0]))
            flipped = flipped or abs(float(env.data.qpos[2])) > math.pi / 2
        vel.append((float(env.data.qpos[0]) - x0) / (args.steps * env.dt))
        pitch_flip += flipped
    vel = np.asarray(vel)
    return {
        "env": "HalfCheetah-v5", "episodes": args.episodes, "steps": args.steps,
        "mean_vx": float(vel.mean()), "vx_episode_std": float(vel.std()),
        "vx_mean_stderr": float(vel.std() / math.sqrt(len(vel))),
        "root_z_p10": percentile(z, 10), "root_z_p50": percentile(z, 50), "root_z_p90": percentile(z, 90),
        "joint_speed_mean": float(np.mean(joint_speed)),
        "flip_fraction": pitch_flip / args.episodes,
    }


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("robot", choices=["ant", "cheetah"])
    ap.add_argument("--episodes", type=int, default=200)
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--no-terminate", action="store_true")
    ap.add_argument("--action-scale", type=float, default=1.0)
    args = ap.parse_args()
    print(json.dumps(run_ant(args) if args.robot == "ant" else run_cheetah(args)))
