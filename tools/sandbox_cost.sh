#!/bin/bash
# The sandbox's cost on ml10-v2 with the reference Python agent: interleaved rounds of the same
# evaluation sandboxed and with --no-sandbox (release build), each run's wall time and the CPU
# time of its whole process tree (mrbench, bwrap, the agent: `perf stat -e task-clock`, which
# follows every descendant; rusage would lose an agent that is killed rather than reaped), then
# paired differences with bootstrap intervals. Needs perf (Debian linux-perf).
# Usage: tools/sandbox_cost.sh [ROUNDS] [SHARD]   (defaults: 10 rounds, shard 1/8 = 25 trials,
#        162,500 steps). Prints one line per run, then the summary (tools/sandbox_cost.py).
set -u
cd "$(dirname "$0")/.."
B=${MRBENCH:-.build/release/mrbench}
shard=${2:-1/8}
out=$(mktemp -d)
rows=$out/rows.tsv
for r in $(seq 1 "${1:-10}"); do
  # Alternate which mode goes first so a drift in the host's speed does not favour one.
  if [ $((r % 2)) -eq 1 ]; then order="sandbox nosandbox"; else order="nosandbox sandbox"; fi
  for mode in $order; do
    extra=""; [ "$mode" = nosandbox ] && extra="--no-sandbox"
    t0=$(date +%s.%N)
    perf stat -e task-clock -x, -o "$out/perf" \
      $B evaluate --agent "cmd:python3 examples/agents/random_agent.py" --benchmark ml10-v2 --seeds 1 --shard "$shard" \
        --threads 1 $extra --output "$out/$mode-$r/e.json" > "$out/$mode-$r.log" 2>&1
    rc=$?
    t1=$(date +%s.%N)
    wall=$(echo "$t1 - $t0" | bc)
    cpu=$(awk -F, '/task-clock/ { printf "%.4f", $1 / 1000 }' "$out/perf")
    steps=$(python3 -c 'import json,sys; d = json.load(open(sys.argv[1])); print(d["environmentStepsThisRun"], d["trialsRun"])' "$out/$mode-$r/e.run.json" 2>/dev/null || echo 0 0)
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$mode" "$rc" "$wall" "$cpu" "${steps// /$'\t'}" | tee -a "$rows"
  done
done
python3 "$(dirname "$0")/sandbox_cost.py" "$rows"
rm -rf "$out"
