"""Bad input raises a Python exception with a clear message; the interpreter never crashes."""
import subprocess
import sys

import gymnasium as gym
import numpy as np
import pytest

import mrbench


@pytest.fixture
def env():
    e = gym.make("mrbench/point-nav-v1").unwrapped
    e.reset(seed=0)
    return e


def test_wrong_shape(env):
    with pytest.raises(ValueError, match=r"action has shape \(3,\), the action space has shape \(2,\)"):
        env.step(np.zeros(3, dtype=np.float32))
    with pytest.raises(mrbench.ArgumentError, match=r"action has shape \(1, 2\)"):
        env.step([[0.0, 0.0]])


def test_nan_and_infinity(env):
    with pytest.raises(mrbench.ActionError, match="action component 0 is nan, not a finite number"):
        env.step(np.array([np.nan, 0.0], dtype=np.float32))
    with pytest.raises(ValueError, match="action component 1 is inf, not a finite number"):
        env.step([0.0, np.inf])
    # Refused actions leave the episode where it was.
    obs, *_ = env.step([0.5, 0.5])
    ref = gym.make("mrbench/point-nav-v1").unwrapped
    ref.reset(seed=0)
    assert np.array_equal(obs, ref.step([0.5, 0.5])[0])


def test_wrong_dtype(env):
    with pytest.raises(TypeError, match="action has dtype <U1, expected real numbers"):
        env.step(np.array(["a", "b"]))
    with pytest.raises(TypeError, match="action has dtype complex128"):
        env.step(np.array([1j, 0]))
    with pytest.raises(TypeError, match="seed must be an int"):
        env.reset(seed=1.5)


def test_unknown_ids():
    with pytest.raises(mrbench.UnknownIdError, match="unknown environment 'banana-v1'; registered: pendulum-v1"):
        mrbench.make_env("banana-v1")
    with pytest.raises(mrbench.UnknownIdError, match="unknown benchmark 'ml99-v1'"):
        mrbench.Benchmark("ml99-v1")
    with pytest.raises(gym.error.Error):
        gym.make("mrbench/banana-v1")
    with pytest.raises(mrbench.ArgumentError, match=r"train task 500 is out of range: ml10-v2 has 500 train tasks"):
        mrbench.make_env(benchmark="ml10-v2", task=500)


def test_step_before_reset_and_after_done():
    e = mrbench.make_env("point-nav-v1")
    with pytest.raises(mrbench.StateError, match="step called before reset on point-nav-v1; call reset first"):
        e.step([0.0, 0.0])
    e.reset(seed=1)
    for _ in range(e.horizon):
        *_, truncated, _ = e.step([0.0, 0.0])
    assert truncated
    with pytest.raises(RuntimeError, match="step called after the episode ended on point-nav-v1; call reset first"):
        e.step([0.0, 0.0])


def test_vector_bad_input():
    vec = mrbench.MRBenchVectorEnv("point-nav-v1", 2, threads=2)
    with pytest.raises(mrbench.StateError, match="before reset"):
        vec.step(np.zeros((2, 2)))
    vec.reset(seed=0)
    with pytest.raises(ValueError, match=r"action has shape \(2,\), the action space has shape \(2, 2\)"):
        vec.step(np.zeros(2))
    with pytest.raises(mrbench.ActionError, match="environment 1: action component 0 is nan"):
        vec.step(np.array([[0, 0], [np.nan, 0]]))
    with pytest.raises(mrbench.ArgumentError, match="num_envs must be a positive int"):
        mrbench.MRBenchVectorEnv("point-nav-v1", 0)


def test_test_tasks_are_not_handed_out():
    bench = mrbench.Benchmark("ml10-v2")
    with pytest.raises(AttributeError, match="test tasks are not handed out for training; score a policy on them with `mrbench evaluate"):
        bench.test_tasks
    env = bench.make_env(0)
    with pytest.raises(TypeError, match="set_task takes a mrbench.Task"):
        env.set_task(3)
    with pytest.raises(mrbench.ArgumentError, match="task of benchmark ml1-reach-v2"):
        env.set_task(mrbench.Task("reach", "ml1-reach-v2", 0))


def test_goal_reward_shapes():
    env = gym.make("mrbench/fetch-reach-v1").unwrapped
    with pytest.raises(ValueError, match=r"must have the same shape \(\.\.\., 3\)"):
        env.compute_reward(np.zeros((4, 3)), np.zeros((4, 2)), None)
    with pytest.raises(mrbench.ArgumentError, match="not goal-conditioned"):
        mrbench.MRBenchVectorEnv("point-nav-v1", 1).compute_reward(np.zeros(3), np.zeros(3))


def test_bad_input_never_kills_the_interpreter():
    # Every bad call in a fresh interpreter, which must exit normally having caught them all.
    code = """
import numpy as np, mrbench
e = mrbench.make_env("ant-vel-v2")
bad = [lambda: e.step(np.zeros(8)), lambda: (e.reset(seed=0), e.step(np.full(8, np.nan))), lambda: e.step(np.zeros(7)),
       lambda: e.step("x"), lambda: mrbench.make_env("nope"), lambda: mrbench.make_env(benchmark="ml10-v2", task=-1),
       lambda: mrbench.make_env(None), lambda: e.reset(seed=-1), lambda: e.reset(seed=2**64)]
caught = 0
for f in bad:
    try: f()
    except Exception: caught += 1
print(caught)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "9"
