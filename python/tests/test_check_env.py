"""Gymnasium's own environment checker on every environment this package registers."""
import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import check_env

import mrbench


def test_every_mrbench_id_is_registered():
    ids = mrbench.registered_ids()
    assert len(ids) == len(mrbench.environment_ids()) + len(mrbench.benchmark_ids())
    assert "mrbench/ml10-reach-v2" in ids and "mrbench/ml10-v2-train" in ids
    for gid in ids:
        assert gid in gym.registry


@pytest.mark.parametrize("gid", mrbench.registered_ids())
def test_check_env(gid):
    env = gym.make(gid)
    check_env(env.unwrapped)
    env.close()
