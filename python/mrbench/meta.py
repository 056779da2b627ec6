"""A meta-RL API shaped like Meta-World's: a benchmark's train tasks, and environments that switch
task with `set_task`. Only the train split is handed out; the test split is scored by
`mrbench evaluate` (the tasks stay inside the Swift library, and their goals are never returned)."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from gymnasium import spaces

from . import _lib
from ._lib import ArgumentError, EnvHandle
from .envs import MRBenchEnv, MRBenchGoalEnv, MRBenchVectorEnv


class Task(NamedTuple):
    """One train task: its stratum (Meta-World's `env_name`, e.g. "reach"), benchmark and index.
    It names the task; its parameters (the goal) stay hidden."""

    env_name: str
    benchmark: str
    index: int


class _TaskSwitching:
    def set_task(self, task: Task) -> None:
        """Switches to train task `task` (from `Benchmark.train_tasks`); takes effect at the next reset."""
        if not isinstance(task, Task):
            raise TypeError(f"set_task takes a mrbench.Task from Benchmark.train_tasks, got {type(task).__name__}")
        if task.benchmark != self.benchmark_id:
            raise ArgumentError(f"task of benchmark {task.benchmark} given to an environment of {self.benchmark_id}")
        handle = EnvHandle(benchmark=task.benchmark, task=task.index)
        self._handle = handle
        self._bind(handle)
        self.task = task


class MetaEnv(_TaskSwitching, MRBenchEnv):
    """A benchmark's environment whose train task is chosen with `set_task` (Meta-World style)."""

    def __init__(self, benchmark: str, task: Task | int = 0, render_mode=None):
        index = task.index if isinstance(task, Task) else task
        super().__init__(benchmark=benchmark, task=index, render_mode=render_mode)
        self.benchmark_id = benchmark
        self.task = Task(self._handle.info["benchmark"]["label"], benchmark, index)


class MetaGoalEnv(_TaskSwitching, MRBenchGoalEnv):
    """`MetaEnv` for goal-conditioned benchmarks (Fetch): dictionary observations and `compute_reward`."""

    def __init__(self, benchmark: str, task: Task | int = 0, render_mode=None):
        index = task.index if isinstance(task, Task) else task
        super().__init__(benchmark=benchmark, task=index, render_mode=render_mode)
        self.benchmark_id = benchmark
        self.task = Task(self._handle.info["benchmark"]["label"], benchmark, index)


class Benchmark:
    """A benchmark's train split, shaped like Meta-World's `ML10()`:

        bench = mrbench.Benchmark("ml10-v2")
        for name, env_cls in bench.train_classes.items():
            env = env_cls()
            task = random.choice([t for t in bench.train_tasks if t.env_name == name])
            env.set_task(task)
            obs, info = env.reset(seed=0)
    """

    def __init__(self, benchmark_id: str):
        info = _lib.benchmark_info(benchmark_id)
        self.id = benchmark_id
        self.info = info
        self.protocol = info["protocol"]
        self.hides_goal = info["hides_goal"]
        self.reward_scale = info["reward_scale"]
        self.train_tasks = [Task(label, benchmark_id, i) for i, label in enumerate(info["labels"])]
        self.observation_layout = {s["name"]: (s["start"], s["count"]) for s in info["layout"]}
        low = [-np.inf if v is None else v for v in info["observation_low"]]
        high = [np.inf if v is None else v for v in info["observation_high"]]
        self.observation_space = spaces.Box(np.array(low, dtype=np.float32), np.array(high, dtype=np.float32), dtype=np.float32)
        self.action_space = spaces.Box(-1.0, 1.0, shape=(info["action_size"],), dtype=np.float32)
        probe = EnvHandle(benchmark=benchmark_id, task=0)
        self._cls = MetaGoalEnv if probe.info["goal"] is not None else MetaEnv
        self.train_classes = {}
        for t in self.train_tasks:
            if t.env_name not in self.train_classes:
                self.train_classes[t.env_name] = self._class_for(t)

    def _class_for(self, first: Task):
        bench, cls = self.id, self._cls

        def make(render_mode=None):
            return cls(bench, first, render_mode=render_mode)

        make.__name__ = first.env_name
        return make

    @property
    def test_tasks(self):
        raise AttributeError(
            f"{self.id}'s test tasks are not handed out for training; score a policy on them with "
            f"`mrbench evaluate --benchmark {self.id} --agent cmd:...` (docs/agent-protocol.md)"
        )

    def make_env(self, task: Task | int = 0) -> MRBenchEnv:
        return self._cls(self.id, task)

    def make_vec(self, num_envs: int, tasks=None, threads: int = 0) -> MRBenchVectorEnv:
        """A vector over train tasks (default: 0, 1, … N-1 modulo the number of train tasks)."""
        if tasks is not None:
            tasks = [t.index if isinstance(t, Task) else t for t in tasks]
        return MRBenchVectorEnv(num_envs=num_envs, benchmark=self.id, tasks=tasks, threads=threads)

    def __repr__(self):
        return f"Benchmark({self.id!r}, {len(self.train_tasks)} train tasks)"
