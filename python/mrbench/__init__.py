"""mrbench: meta-RL environments and benchmarks (Swift, ODE physics) as Gymnasium environments.

    import gymnasium as gym
    import mrbench                                   # registers "mrbench/<id>" with Gymnasium

    env = gym.make("mrbench/half-cheetah-vel-v2")
    envs = gym.make_vec("mrbench/ant-dir-v2", num_envs=16)        # stepped across threads in Swift
    train = gym.make("mrbench/ml10-v2-train", task=3)              # a benchmark's train task
    bench = mrbench.Benchmark("ml10-v2")                           # Meta-World-shaped: train_tasks, set_task

Environment ids are `mrbench list`'s, with "/" replaced by "-" (ml10/reach-v2 -> mrbench/ml10-reach-v2);
each benchmark's train split is "mrbench/<benchmark>-train".
"""
from __future__ import annotations

import gymnasium as _gym

from ._lib import CATALOGUE, LIB_PATH, ActionError, ArgumentError, Error, StateError, UnknownIdError
from .envs import MRBenchEnv, MRBenchGoalEnv, MRBenchVectorEnv, make_env, make_vector
from .meta import Benchmark, MetaEnv, MetaGoalEnv, Task

__version__ = CATALOGUE["version"]


def gym_id(mrbench_id: str) -> str:
    """The Gymnasium id of an environment id (ml10/reach-v2 -> mrbench/ml10-reach-v2)."""
    return "mrbench/" + mrbench_id.replace("/", "-")


def describe(mrbench_id: str) -> dict:
    """An environment's spaces, layout, horizon and goal fields (it builds the environment once)."""
    from ._lib import EnvHandle

    return dict(EnvHandle(mrbench_id).info)


def environment_ids() -> list:
    return [e["id"] for e in CATALOGUE["environments"]]


def benchmark_ids() -> list:
    return [b["id"] for b in CATALOGUE["benchmarks"]]


def registered_ids() -> list:
    """Every Gymnasium id this package registers."""
    return [gym_id(i) for i in environment_ids()] + [f"mrbench/{b}-train" for b in benchmark_ids()]


def _register():
    for e in CATALOGUE["environments"]:
        gid = gym_id(e["id"])
        if gid in _gym.registry:
            continue
        _gym.register(id=gid, entry_point="mrbench.envs:make_env", vector_entry_point="mrbench.envs:make_vector",
                      kwargs={"env_id": e["id"]}, max_episode_steps=e["horizon"], disable_env_checker=False)
    for b in CATALOGUE["benchmarks"]:
        gid = f"mrbench/{b['id']}-train"
        if gid in _gym.registry:
            continue
        _gym.register(id=gid, entry_point="mrbench.envs:make_env", vector_entry_point="mrbench.envs:make_vector",
                      kwargs={"benchmark": b["id"]}, max_episode_steps=b["horizon"])


_register()

__all__ = [
    "Benchmark", "Task", "MetaEnv", "MetaGoalEnv", "MRBenchEnv", "MRBenchGoalEnv", "MRBenchVectorEnv", "make_env", "make_vector",
    "Error", "UnknownIdError", "ArgumentError", "ActionError", "StateError", "gym_id", "registered_ids", "environment_ids",
    "benchmark_ids", "describe", "LIB_PATH",
]
