"""The Meta-World-shaped meta-RL API and the goal-conditioned (HER) API."""
import gymnasium as gym
import numpy as np

import mrbench


def test_benchmark_train_tasks_and_set_task():
    bench = mrbench.Benchmark("ml10-v2")
    assert len(bench.train_tasks) == 500
    assert sorted(bench.train_classes) == sorted({t.env_name for t in bench.train_tasks})
    assert len(bench.train_classes) == 10
    env = bench.train_classes["reach"]()
    assert env.task.env_name == "reach"
    reach = [t for t in bench.train_tasks if t.env_name == "reach"]
    env.set_task(reach[1])
    env.reset(seed=0)
    a = np.array([0.5, 0.2, -0.1, 0.0], dtype=np.float32)
    r1 = env.step(a)[1]
    env.set_task(reach[7])
    env.reset(seed=0)
    r7 = env.step(a)[1]
    assert r1 != r7  # another goal: another reward
    # The environment shows the task's label, never its goal.
    assert set(env._handle.info["benchmark"]) == {"id", "task_index", "label", "hides_goal", "reward_scale"}
    assert env._handle.info["benchmark"]["hides_goal"] is True


def test_gym_make_train_task():
    env = gym.make("mrbench/ml10-v2-train", task=12)
    obs, _ = env.reset(seed=0)
    assert obs.shape == (39,)
    assert env.unwrapped.mrbench_id == "ml10-v2/train/12"


def test_fetch_is_a_goal_env_and_compute_reward_relabels():
    env = gym.make("mrbench/fetch-reach-v1").unwrapped
    assert isinstance(env, mrbench.MRBenchGoalEnv)
    assert set(env.observation_space.spaces) == {"observation", "achieved_goal", "desired_goal"}
    obs, _ = env.reset(seed=3)
    achieved, desired, rewards = [], [], []
    for k in range(20):
        obs, r, *_ = env.step(np.array([0.4, -0.3, 0.2 - 0.05 * k, 0.0], dtype=np.float32))
        achieved.append(obs["achieved_goal"]); desired.append(obs["desired_goal"]); rewards.append(r)
    batched = env.compute_reward(np.array(achieved), np.array(desired), {})
    assert batched.shape == (20,)
    assert batched.tolist() == rewards
    # Relabelled with the achieved goal itself: the success reward.
    assert env.compute_reward(achieved[5], achieved[5], {}) == 0.0
    assert env.compute_reward(np.stack([achieved] * 2), np.stack([desired] * 2), {}).shape == (2, 20)


def test_spaces_and_layouts_are_listed():
    bench = mrbench.Benchmark("fetch-zones-v1")
    assert bench.observation_space.shape == (31,)
    assert bench.observation_layout["desired_goal"] == (28, 3)
    d = mrbench.describe("ml10/reach-v2")
    assert d["observation_size"] == 39 and d["action_size"] == 4 and d["horizon"] == 500
    names = [s["name"] for s in d["layout"]]
    assert names[0] == "hand_pos" and names[-1] == "goal_pos" and len(names) == 13
