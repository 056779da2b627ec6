#!/bin/bash
# The sandbox's cost on ml10-v2 with the reference Python agent: interleaved rounds of the same
# evaluation (shard 1/8: 25 trials, 162,500 steps) sandboxed and with --no-sandbox, release build.
# Usage: tools/sandbox_cost.sh [ROUNDS]   (prints "round mode rc=… seconds" per run)
set -u
cd "$(dirname "$0")/.."
B=.build/release/mrbench
out=$(mktemp -d)
for r in $(seq 1 "${1:-10}"); do
  for mode in sandbox nosandbox; do
    extra=""; [ "$mode" = nosandbox ] && extra="--no-sandbox"
    s=$(date +%s.%N)
    $B evaluate --agent "cmd:python3 examples/agents/random_agent.py" --benchmark ml10-v2 --seeds 1 --shard 1/8 --threads 1 \
        $extra --output "$out/$mode-$r/e.json" > "$out/$mode-$r.log" 2>&1
    rc=$?
    e=$(date +%s.%N)
    echo "$r $mode rc=$rc $(echo "$e - $s" | bc)"
  done
done
rm -rf "$out"
