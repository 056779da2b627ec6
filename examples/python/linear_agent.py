#!/usr/bin/env python3
"""A trained linear policy (from examples/python/ars_train.py) as an mrbench `cmd:` agent.

    mrbench evaluate --benchmark point-nav-v1 --agent cmd:'python3 examples/python/linear_agent.py policy.json'

Speaks the mrbench-agent protocol 1.0 (docs/agent-protocol.md). Standard library only, because the
agent runs with a clean environment (PATH and HOME only; no virtualenv is active). The policy is
deterministic, a = clip(W·obs + b, -1, 1), and does not adapt: its adaptation episodes are played
like the others.
"""
import json
import sys

PROTOCOL = "mrbench-agent"
VERSION = "1.0"


def send(message):
    sys.stdout.write(json.dumps(message, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def main():
    if len(sys.argv) != 2:
        print("usage: linear_agent.py POLICY.json", file=sys.stderr)
        return 2
    with open(sys.argv[1]) as f:
        policy = json.load(f)
    W, b = policy["W"], policy["b"]

    def act(obs):
        return [max(-1.0, min(1.0, sum(w * o for w, o in zip(row, obs)) + bias)) for row, bias in zip(W, b)]

    for line in sys.stdin:
        message = json.loads(line)
        kind = message["type"]
        if kind == "hello":
            if message["version"].split(".")[0] != VERSION.split(".")[0]:
                print(f"linear_agent: unsupported protocol {message['version']}", file=sys.stderr)
                return 1
            n = len(message["observation_space"]["low"])
            if n != len(W[0]) or len(message["action_space"]["low"]) != len(W):
                print(f"linear_agent: the policy is {len(W)}x{len(W[0])}, the benchmark's spaces differ", file=sys.stderr)
                return 1
            send({"type": "hello", "protocol": PROTOCOL, "version": VERSION, "agent": {"name": "ars-linear-py", "version": "1.0"}})
        elif kind == "episode" or (kind == "step" and not message["done"]):
            send({"type": "action", "action": act(message["observation"])})
        elif kind == "adapt":
            send({"type": "adapted"})
        elif kind == "end":
            return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
