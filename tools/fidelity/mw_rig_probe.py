"""Meta-World v3's Sawyer rig under fixed action sequences: gripper timing, tcp offset, hand lag.

Run with a Python that has `metaworld` installed (see README.md here):
    /work/venv-mw/bin/python tools/fidelity/mw_rig_probe.py
Prints one JSON object. The same sequences run on mrbench with rig_probe_agent.py.
"""
import json
import warnings

import numpy as np

warnings.filterwarnings("ignore")
import metaworld  # noqa: E402


def make(name="pick-place-v3"):
    mt1 = metaworld.MT1(name, seed=0)
    env = mt1.train_classes[name]()
    env.set_task(mt1.train_tasks[0])
    return env


def run(env, actions):
    obs, _ = env.reset()
    rows = [obs]
    for a in actions:
        obs, *_ = env.step(np.asarray(a, dtype=np.float32))
        rows.append(obs)
    return np.array(rows)


def main():
    env = make()
    out = {}
    # 1. gripper: 20 steps closing (+1) from open, then 20 steps opening (-1); the hand holds still.
    seq = [[0, 0, 0, 1]] * 20 + [[0, 0, 0, -1]] * 20
    o = run(env, seq)
    opening = o[:, 3]
    out["opening"] = [round(float(x), 4) for x in opening]
    lo, hi = opening[20], opening[0]
    half = (lo + hi) / 2
    out["half_closed_step"] = int(np.argmax(opening[:21] <= half))
    out["half_open_step"] = int(np.argmax(opening[20:] >= half))
    # 2. tcp offset below the hand at rest (open fingers).
    env.reset()
    out["tcp_below_hand"] = round(float(env.get_endeff_pos()[2] - env.tcp_center[2]), 4)
    out["tcp_minus_hand"] = [round(float(x), 4) for x in env.tcp_center - env.get_endeff_pos()]
    # 3. hand lag: 20 steps of +x (gripper open), then 20 steps of zero action.
    seq = [[1, 0, 0, -1]] * 20 + [[0, 0, 0, -1]] * 20
    o = run(env, seq)
    x = o[:, 0] - o[0, 0]
    out["x_after_20"] = round(float(x[20]), 4)
    out["lag_at_20"] = round(0.2 - float(x[20]), 4)
    out["x_settled"] = round(float(x[40]), 4)
    out["x"] = [round(float(v), 4) for v in x]
    # lag range over steps 5..20 (mocap target − hand)
    lags = [0.01 * k - x[k] for k in range(5, 21)]
    out["lag_range_5_20"] = [round(float(min(lags)), 4), round(float(max(lags)), 4)]
    # 4. same along −z (down) from the start, 10 steps
    seq = [[0, 0, -1, -1]] * 10
    o = run(env, seq)
    out["z_after_10_down"] = round(float(o[10, 2] - o[0, 2]), 4)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
