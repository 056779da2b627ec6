"""Gymnasium environments over libMRBenchC: single, goal-conditioned, and vector."""
from __future__ import annotations

import ctypes

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from gymnasium.vector.utils import batch_space

from . import _lib
from ._lib import AUTORESET, DIVERGED, RUNNING, TERMINATED, TRUNCATED, ArgumentError, EnvHandle, check, lib

try:
    from gymnasium.vector import AutoresetMode

    _NEXT_STEP = AutoresetMode.NEXT_STEP
except ImportError:  # Gymnasium 1.0
    _NEXT_STEP = "NextStep"

_U64 = 2**64


def _seed(seed) -> int:
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    seed = int(seed)
    if not 0 <= seed < _U64:
        raise ValueError(f"seed {seed} is outside [0, 2**64)")
    return seed


def _address(a: np.ndarray) -> int:
    return a.__array_interface__["data"][0]


def _check_action(action, shape: tuple) -> np.ndarray:
    """The action as an array of `shape`; refuses other shapes and non-real dtypes."""
    a = np.asarray(action)
    if a.dtype.kind not in "fiu":
        raise TypeError(f"action has dtype {a.dtype}, expected real numbers (float32)")
    if a.shape != shape:
        raise ArgumentError(f"action has shape {a.shape}, the action space has shape {shape}")
    return a


def _observation_space(info: dict) -> spaces.Box:
    low = np.array([-np.inf if v is None else v for v in info["observation_low"]], dtype=np.float32)
    high = np.array([np.inf if v is None else v for v in info["observation_high"]], dtype=np.float32)
    return spaces.Box(low, high, dtype=np.float32)


class _Goals:
    """Where the goal-conditioned observation's parts lie, and the batched goal reward."""

    def __init__(self, handle: EnvHandle, box: spaces.Box):
        info = handle.info
        a0, an = info["goal"]["achieved"]
        d0, dn = info["goal"]["desired"]
        self.handle = handle
        self.dim = an
        self.achieved = np.arange(a0, a0 + an)
        self.desired = np.arange(d0, d0 + dn)
        goal = set(self.achieved) | set(self.desired)
        self.rest = np.array([i for i in range(box.shape[0]) if i not in goal], dtype=np.int64)
        part = lambda idx: spaces.Box(box.low[idx], box.high[idx], dtype=np.float32)  # noqa: E731
        self.space = spaces.Dict({"observation": part(self.rest), "achieved_goal": part(self.achieved), "desired_goal": part(self.desired)})

    def split(self, flat: np.ndarray) -> dict:
        return {"observation": flat[..., self.rest], "achieved_goal": flat[..., self.achieved], "desired_goal": flat[..., self.desired]}

    def reward(self, achieved, desired) -> np.ndarray:
        a = np.ascontiguousarray(achieved, dtype=np.float32)
        d = np.ascontiguousarray(desired, dtype=np.float32)
        if a.shape != d.shape or a.ndim == 0 or a.shape[-1] != self.dim:
            raise ArgumentError(f"achieved {a.shape} and desired {d.shape} goals must have the same shape (..., {self.dim})")
        lead = a.shape[:-1]
        n = int(np.prod(lead)) if lead else 1
        out = np.empty(n, dtype=np.float64)
        check(lib.mrbench_env_goal_reward(self.handle.ptr, _address(a), _address(d), n, self.dim, _address(out)))
        return out.reshape(lead) if lead else out[0]


class MRBenchEnv(gym.Env):
    """One mrbench environment: a registered id, or (with `benchmark`, `task`) a benchmark's train task.

    Observations are float32, actions float32 in [-1, 1]^n (out-of-range values are clipped by the
    environment; NaN, a wrong shape or a wrong dtype raise). `reset(seed=s)` resets the Swift
    environment with seed s exactly as `mrbench` does; `reset()` without a seed continues a
    deterministic chain from the last seed.
    """

    metadata = {"render_modes": []}

    def __init__(self, env_id: str | None = None, *, benchmark: str | None = None, task: int = 0, render_mode=None):
        if render_mode is not None:
            raise ArgumentError(f"mrbench environments do not render through Gymnasium (render_mode={render_mode!r}); use `mrbench render`")
        self._handle = EnvHandle(env_id, benchmark=benchmark, task=task if benchmark is not None else None)
        self._bind(self._handle)
        # Out-parameters of the C calls, allocated once; each result is a fresh copy for the caller.
        self._reward, self._status, self._success = ctypes.c_double(), ctypes.c_int8(), ctypes.c_int8()
        self._reward_ptr, self._status_ptr, self._success_ptr = (ctypes.addressof(x) for x in (self._reward, self._status, self._success))

    def _bind(self, handle: EnvHandle):
        info = handle.info
        self.mrbench_id = info["id"]
        self.horizon = info["horizon"]
        self.layout = {s["name"]: (s["start"], s["count"]) for s in info["layout"]}
        self._flat_space = _observation_space(info)
        self._obs_size = info["observation_size"]
        self._act_shape = (info["action_size"],)
        self.observation_space = self._flat_space
        self.action_space = spaces.Box(-1.0, 1.0, shape=self._act_shape, dtype=np.float32)
        self.last_flat_observation = None
        self._abuf = np.empty(self._act_shape, dtype=np.float32)
        self._obuf = np.empty(self._obs_size, dtype=np.float32)
        self._aptr, self._optr = _address(self._abuf), _address(self._obuf)

    def _observation(self, flat: np.ndarray):
        self.last_flat_observation = flat
        return flat

    def reset(self, *, seed=None, options=None):
        if seed is not None:
            seed = _seed(seed)
        super().reset(seed=seed)
        if seed is None:
            check(lib.mrbench_env_reset(self._handle.ptr, 0, 0, self._optr, self._obs_size))
        else:
            check(lib.mrbench_env_reset(self._handle.ptr, seed, 1, self._optr, self._obs_size))
        return self._observation(self._obuf.copy()), {}

    def step(self, action):
        self._abuf[...] = _check_action(action, self._act_shape)
        check(lib.mrbench_env_step(self._handle.ptr, self._aptr, self._act_shape[0], self._optr, self._obs_size,
                                   self._reward_ptr, self._status_ptr, self._success_ptr))
        status, success = self._status.value, self._success.value
        info = {} if success < 0 else {"success": success == 1}
        if status == DIVERGED:
            info["diverged"] = True
        return self._observation(self._obuf.copy()), self._reward.value, status == TERMINATED, status == TRUNCATED or status == DIVERGED, info


class MRBenchGoalEnv(MRBenchEnv):
    """A goal-conditioned environment (Fetch, cube navigation) shaped like Gymnasium-Robotics' GoalEnv:
    dictionary observations (`observation`, `achieved_goal`, `desired_goal`) and a batched
    `compute_reward(achieved_goal, desired_goal, info)` for hindsight relabelling (HER)."""

    def _bind(self, handle: EnvHandle):
        super()._bind(handle)
        self._goals = _Goals(handle, self._flat_space)
        self.observation_space = self._goals.space

    def _observation(self, flat: np.ndarray):
        self.last_flat_observation = flat
        return self._goals.split(flat)

    def compute_reward(self, achieved_goal, desired_goal, info=None):
        """The reward the environment pays for `achieved_goal` under `desired_goal`, over any leading batch shape."""
        return self._goals.reward(achieved_goal, desired_goal)

    def compute_terminated(self, achieved_goal, desired_goal, info=None):
        return np.zeros(np.shape(achieved_goal)[:-1], dtype=bool) if np.ndim(achieved_goal) > 1 else False

    def compute_truncated(self, achieved_goal, desired_goal, info=None):
        return np.zeros(np.shape(achieved_goal)[:-1], dtype=bool) if np.ndim(achieved_goal) > 1 else False


def make_env(env_id: str | None = None, *, benchmark: str | None = None, task: int = 0, render_mode=None) -> MRBenchEnv:
    """A single environment, as a GoalEnv where it is goal-conditioned."""
    probe = EnvHandle(env_id, benchmark=benchmark, task=task if benchmark is not None else None)
    cls = MRBenchGoalEnv if probe.info["goal"] is not None else MRBenchEnv
    del probe
    return cls(env_id, benchmark=benchmark, task=task, render_mode=render_mode)


class MRBenchVectorEnv(gym.vector.VectorEnv):
    """N environments stepped across threads in one call of the library (Gymnasium's next-step auto-reset).

    `env_id`: N copies of a registered environment. `benchmark`: train tasks of a benchmark,
    `tasks` (default: 0, 1, … N-1 modulo the number of train tasks). `threads`: worker threads
    (0: one per core). `reset(seed=s)` seeds slot i with s + i, as Gymnasium's vector environments do.
    """

    metadata = {"autoreset_mode": _NEXT_STEP, "render_modes": []}

    def __init__(self, env_id: str | None = None, num_envs: int = 1, *, benchmark: str | None = None, tasks=None,
                 threads: int = 0, max_episode_steps=None, render_mode=None):
        if render_mode is not None:
            raise ArgumentError("mrbench environments do not render through Gymnasium; use `mrbench render`")
        if isinstance(num_envs, bool) or not isinstance(num_envs, int) or num_envs < 1:
            raise ArgumentError(f"num_envs must be a positive int, got {num_envs!r}")
        if benchmark is not None:
            count = _lib.benchmark_info(benchmark)["train_tasks"]
            tasks = [i % count for i in range(num_envs)] if tasks is None else list(tasks)
            if len(tasks) != num_envs:
                raise ArgumentError(f"{len(tasks)} tasks for {num_envs} environments")
            handles = [EnvHandle(benchmark=benchmark, task=t) for t in tasks]
        else:
            handles = [EnvHandle(env_id) for _ in range(num_envs)]
        self.tasks = tasks
        info = handles[0].info
        if max_episode_steps is not None and max_episode_steps != info["horizon"]:
            raise ArgumentError(f"max_episode_steps={max_episode_steps}: mrbench environments keep their horizon ({info['horizon']})")
        array = (ctypes.c_void_p * num_envs)(*[h.ptr for h in handles])
        ptr = ctypes.c_void_p()
        check(lib.mrbench_vec_make(array, num_envs, int(threads), ctypes.byref(ptr)))
        self._vec = ptr.value  # holds its own references to the environments
        self.num_envs = num_envs
        self.mrbench_id = info["id"] if benchmark is None else benchmark
        self.horizon = info["horizon"]
        self._obs_size = info["observation_size"]
        self._act_size = info["action_size"]
        flat = _observation_space(info)
        self._goals = _Goals(handles[0], flat) if info["goal"] is not None else None
        self._goal_handle = handles[0] if self._goals is not None else None
        del handles
        self.single_observation_space = self._goals.space if self._goals else flat
        self.single_action_space = spaces.Box(-1.0, 1.0, shape=(self._act_size,), dtype=np.float32)
        self.observation_space = batch_space(self.single_observation_space, num_envs)
        self.action_space = batch_space(self.single_action_space, num_envs)
        self._abuf = np.empty((num_envs, self._act_size), dtype=np.float32)
        self._obuf = np.empty((num_envs, self._obs_size), dtype=np.float32)
        self._rbuf = np.empty(num_envs, dtype=np.float64)
        self._sbuf = np.empty(num_envs, dtype=np.int8)
        self._subuf = np.empty(num_envs, dtype=np.int8)
        self._ptrs = [_address(b) for b in (self._abuf, self._obuf, self._rbuf, self._sbuf, self._subuf)]

    def _observation(self, flat: np.ndarray):
        return self._goals.split(flat) if self._goals else flat

    def reset(self, *, seed=None, options=None):
        if seed is None:
            seeds = None
        elif isinstance(seed, (int, np.integer)) and not isinstance(seed, (bool, np.bool_)):
            seeds = [_seed(int(seed) + i) for i in range(self.num_envs)]
        else:
            seeds = [_seed(s) for s in seed]
            if len(seeds) != self.num_envs:
                raise ArgumentError(f"{len(seeds)} seeds for {self.num_envs} environments")
        if seed is not None:
            self._np_random, self._np_random_seed = gym.utils.seeding.np_random(seeds[0])
        arr = None if seeds is None else np.array(seeds, dtype=np.uint64)
        check(lib.mrbench_vec_reset(self._vec, None if arr is None else _address(arr), self._ptrs[1], self._obuf.size))
        return self._observation(self._obuf.copy()), {}

    def step(self, actions):
        self._abuf[...] = _check_action(actions, (self.num_envs, self._act_size))
        a, o, r, st, su = self._ptrs
        check(lib.mrbench_vec_step(self._vec, a, self._abuf.size, o, self._obuf.size, r, st, su))
        status, success = self._sbuf, self._subuf
        terminated = status == TERMINATED
        truncated = (status == TRUNCATED) | (status == DIVERGED)
        infos = {}
        known = success >= 0
        if known.any():
            infos["success"] = success == 1
            infos["_success"] = known
        return self._observation(self._obuf.copy()), self._rbuf.copy(), terminated, truncated, infos

    def compute_reward(self, achieved_goal, desired_goal, info=None):
        if self._goals is None:
            raise ArgumentError(f"{self.mrbench_id} is not goal-conditioned")
        return self._goals.reward(achieved_goal, desired_goal)

    def close_extras(self, **kwargs):
        if getattr(self, "_vec", None):
            lib.mrbench_vec_free(self._vec)
            self._vec = None

    def __del__(self):
        self.close_extras()


def make_vector(env_id: str | None = None, num_envs: int = 1, **kwargs) -> MRBenchVectorEnv:
    return MRBenchVectorEnv(env_id, num_envs, **kwargs)


__all__ = ["MRBenchEnv", "MRBenchGoalEnv", "MRBenchVectorEnv", "make_env", "make_vector", "AUTORESET", "RUNNING"]
