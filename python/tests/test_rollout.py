"""A rollout through Python equals the Swift one printed by `mrbench rollout`, bit for bit."""
import json
import subprocess

import numpy as np
import pytest

import mrbench

CASES = [
    ("point-nav-v1", None, None, 120),
    ("half-cheetah-vel-v2", None, None, 60),
    ("ant-dir-v2", None, None, 60),
    ("fetch-push-v1", None, None, 60),
    ("ml10/reach-v2", None, None, 40),
    (None, "ml10-v2", 123, 40),
    (None, "fetch-zones-v1", 7, 30),
]


def swift_rollout(cli, tmp_path, actions, seed, env_id=None, benchmark=None, task=None):
    path = tmp_path / "actions.json"
    path.write_text(json.dumps(actions.astype(np.float64).tolist()))
    cmd = [cli, "rollout", "--seed", str(seed), "--actions", str(path)]
    cmd += ["--env", env_id] if env_id else ["--benchmark", benchmark, "--train-task", str(task)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return [json.loads(line) for line in out.splitlines()]


@pytest.mark.parametrize("env_id,benchmark,task,steps", CASES)
def test_python_rollout_equals_swift(cli, tmp_path, env_id, benchmark, task, steps):
    rng = np.random.default_rng(5)
    env = mrbench.make_env(env_id, benchmark=benchmark, task=task or 0)
    # Some components outside [-1, 1]: both sides must clip them the same way.
    actions = rng.uniform(-1.3, 1.3, size=(steps, env.action_space.shape[0]))
    records = swift_rollout(cli, tmp_path, actions, seed=42, env_id=env_id, benchmark=benchmark, task=task)
    env.reset(seed=42)
    first = env.last_flat_observation
    assert first.view(np.uint32).tolist() == records[0]["observation_bits"]
    taken = 0
    for k, rec in enumerate(records[1:]):
        _, reward, terminated, truncated, info = env.step(actions[k])
        taken += 1
        assert rec["step"] == k
        assert env.last_flat_observation.view(np.uint32).tolist() == rec["observation_bits"], f"observation differs at step {k}"
        assert np.float64(reward).view(np.uint64) == int(rec["reward_bits"], 16), f"reward differs at step {k}"
        assert terminated == (rec["status"] == "terminated")
        assert truncated == rec["status"].startswith("truncated")
        assert info.get("success") == rec.get("success")
    # Both sides ended the episode at the same step (or ran out of actions).
    assert taken == steps or terminated or truncated
    assert taken == len(records) - 1
