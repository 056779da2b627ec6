"""The vector environment (N environments stepped across threads in Swift) equals N single environments."""
import os
import time

import gymnasium as gym
import numpy as np
import pytest

import mrbench


def leaves(obs):
    return [obs[k] for k in sorted(obs)] if isinstance(obs, dict) else [obs]


def assert_same_obs(batched, i, single):
    for b, s in zip(leaves(batched), leaves(single)):
        assert b[i].view(np.uint32).tolist() == np.asarray(s).view(np.uint32).tolist()


@pytest.mark.parametrize("gid,steps", [("mrbench/point-nav-v1", 230), ("mrbench/fetch-reach-v1", 110), ("mrbench/ant-goal-v2", 30)])
def test_vector_equals_single_envs(gid, steps):
    n = 3
    vec = gym.make_vec(gid, num_envs=n, threads=2)
    assert isinstance(vec, mrbench.MRBenchVectorEnv)
    singles = [gym.make(gid).unwrapped for _ in range(n)]
    obs, _ = vec.reset(seed=10)
    for i, s in enumerate(singles):
        o, _ = s.reset(seed=10 + i)
        assert_same_obs(obs, i, o)
    rng = np.random.default_rng(0)
    done = [False] * n
    autoresets = 0
    for _ in range(steps):
        actions = rng.uniform(-1, 1, size=vec.action_space.shape).astype(np.float32)
        obs, rewards, term, trunc, infos = vec.step(actions)
        for i, s in enumerate(singles):
            if done[i]:  # Gymnasium's next-step auto-reset: this slot was reset, its action ignored
                o, _ = s.reset()
                assert rewards[i] == 0 and not term[i] and not trunc[i]
                done[i] = False
                autoresets += 1
            else:
                o, r, t, u, info = s.step(actions[i])
                assert np.float64(rewards[i]).view(np.uint64) == np.float64(r).view(np.uint64)
                assert (term[i], trunc[i]) == (t, u)
                if "success" in info:
                    assert infos["success"][i] == info["success"]
                done[i] = t or u
            assert_same_obs(obs, i, o)
    if steps > singles[0].horizon:
        assert autoresets >= n


def test_train_split_vector_equals_meta_envs():
    bench = mrbench.Benchmark("ml10-v2")
    tasks = [bench.train_tasks[i] for i in (0, 57, 301)]
    vec = bench.make_vec(3, tasks=tasks, threads=2)
    singles = [bench.make_env(t) for t in tasks]
    obs, _ = vec.reset(seed=[3, 4, 5])
    for i, s in enumerate(singles):
        assert_same_obs(obs, i, s.reset(seed=3 + i)[0])
    rng = np.random.default_rng(1)
    for _ in range(20):
        a = rng.uniform(-1, 1, size=(3, 4)).astype(np.float32)
        obs, rewards, *_ = vec.step(a)
        for i, s in enumerate(singles):
            o, r, *_ = s.step(a[i])
            assert_same_obs(obs, i, o)
            assert rewards[i] == r


def test_make_vec_over_a_benchmark_id():
    vec = gym.make_vec("mrbench/ml10-v2-train", num_envs=2)
    obs, _ = vec.reset(seed=0)
    assert obs.shape == (2, 39) and obs.dtype == np.float32
    assert vec.tasks == [0, 1]


def tasks():
    return set(os.listdir("/proc/self/task"))


def outlive(tids, grace=10.0):
    """The threads of `tids` still listed after `grace` seconds. pthread_join returns when the kernel
    clears the thread's id, a moment before it drops the thread from /proc/self/task, so a joined
    thread can still be listed for a few microseconds; one that was never joined stays listed."""
    deadline = time.monotonic() + grace
    while (left := tids & tasks()) and time.monotonic() < deadline:
        time.sleep(0.001)
    return left


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="counts the process's threads in /proc/self/task (Linux)")
def test_vector_cycles_are_identical_and_end_their_threads():
    """Many make / reset / step / close cycles on 2 threads: the same bits as 1 thread every time,
    one worker thread while a vector lives, gone once it is closed."""
    def run(threads):
        before = tasks()
        vec = gym.make_vec("mrbench/point-nav-v1", num_envs=4, threads=threads)
        obs, _ = vec.reset(seed=3)
        out = [obs]
        rng = np.random.default_rng(7)
        for _ in range(130):  # past the horizon: auto-resets included
            out += vec.step(rng.uniform(-1, 1, size=(4, 2)).astype(np.float32))[:4]
        workers = tasks() - before
        vec.close()
        return [np.asarray(x).tobytes() for x in out], workers

    reference, workers = run(1)
    assert workers == set()
    for _ in range(30):
        out, workers = run(2)
        assert out == reference
        assert len(workers) == 1
        assert not outlive(workers), f"worker thread {workers} outlived its vector"



@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_vector_in_a_forked_child_steps_and_closes():
    """A child forked after the vector was made (multiprocessing's default on Linux) has none of
    its worker threads: the vector still steps there, to the same bits, and closes without waiting."""
    vec = gym.make_vec("mrbench/point-nav-v1", num_envs=4, threads=2)
    vec.reset(seed=1)
    a = np.full((4, 2), 0.5, dtype=np.float32)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its observation through the pipe, success through the exit status
        code = 1
        try:
            os.close(r)
            obs = vec.step(a)[0]
            vec.close()
            os.write(w, obs.tobytes())
            code = 0
        finally:
            os._exit(code)
    os.close(w)
    expected = vec.step(a)[0]
    vec.close()
    deadline = time.monotonic() + 60
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            pytest.fail("the forked child hung stepping or closing the vector")
        time.sleep(0.01)
    with os.fdopen(r, "rb") as f:
        child = f.read()
    assert os.waitstatus_to_exitcode(status) == 0
    assert child == expected.tobytes()
