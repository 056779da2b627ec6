#!/usr/bin/env python3
"""Reference external agent for mrbench: uniformly random actions.

Speaks the mrbench-agent protocol 1.0 (docs/agent-protocol.md) on standard input/output, one JSON
object per line. Standard library only. Its randomness comes from the seed of each `trial`
message, so the same evaluation gives the same entry byte for byte.

    mrbench evaluate --agent cmd:'python3 examples/agents/random_agent.py' --benchmark point-nav-sparse-v1
"""
import json
import random
import sys

PROTOCOL = "mrbench-agent"
VERSION = "1.0"


def send(message):
    sys.stdout.write(json.dumps(message, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def main():
    low = high = None
    rng = random.Random(0)
    for line in sys.stdin:
        message = json.loads(line)
        kind = message["type"]
        if kind == "hello":
            major = message["version"].split(".")[0]
            if major != VERSION.split(".")[0]:
                print(f"random_agent: unsupported protocol {message['version']}", file=sys.stderr)
                return 1
            low = message["action_space"]["low"]
            high = message["action_space"]["high"]
            send({"type": "hello", "protocol": PROTOCOL, "version": VERSION,
                  "agent": {"name": "random-py", "version": "1.0"}})
        elif kind == "trial":
            # A new task: forget everything; seed this trial's randomness.
            rng = random.Random(message["seed"])
        elif kind == "episode" or (kind == "step" and not message["done"]):
            send({"type": "action", "action": [rng.uniform(lo, hi) for lo, hi in zip(low, high)]})
        elif kind == "step":
            pass  # the episode is over; the next message is "episode", "adapt" or "trial"
        elif kind == "adapt":
            send({"type": "adapted"})
        elif kind == "end":
            return 0
        else:
            print(f"random_agent: unknown message {kind!r}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
