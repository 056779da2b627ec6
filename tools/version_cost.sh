#!/bin/bash
# CPU cost of one environment version against another, robust to a loaded host: interleaved
# rounds of `mrbench bench A` and `mrbench bench B` (release build, 1 thread, the same steps), each
# run's CPU time (`perf stat -e task-clock`, needs Debian linux-perf) and wall time, then the paired
# ratio B / A per round with 95% bootstrap intervals (tools/version_cost.py). CPU time is what the
# version changes; wall time on a shared host mostly measures the neighbours.
# Usage: tools/version_cost.sh A B [ROUNDS] [STEPS]   e.g. ml10/lever-pull-v2 ml10/lever-pull-v3 20 40000
# Two builds instead of two versions: MRBENCH_A=before MRBENCH_B=after tools/version_cost.sh E E
# (A and B run with their own binary, MRBENCH_A / MRBENCH_B, both defaulting to MRBENCH).
# KIND=evaluate times `mrbench evaluate --agent random --benchmark ID --seeds 1 --threads 1` instead
# (A and B are then benchmark ids, STEPS is ignored, and the per-step figures are per run).
set -u
cd "$(dirname "$0")/.."
bin=${MRBENCH:-.build/release/mrbench}
bin_a=${MRBENCH_A:-$bin}; bin_b=${MRBENCH_B:-$bin}
[ $# -ge 2 ] || { echo "usage: tools/version_cost.sh A B [ROUNDS] [STEPS] (see the comment at the top)" >&2; exit 2; }
a=$1; b=$2; rounds=${3:-20}; steps=${4:-40000}
kind=${KIND:-bench}
[ "$kind" = evaluate ] && steps=1
out=$(mktemp -d)
rows=$out/rows.tsv
for r in $(seq 1 "$rounds"); do
  # Alternate which goes first so a drift in the host's speed does not favour one.
  if [ $((r % 2)) -eq 1 ]; then order="A B"; else order="B A"; fi
  for side in $order; do
    if [ "$side" = A ]; then env=$a; exe=$bin_a; else env=$b; exe=$bin_b; fi
    t0=$(date +%s.%N)
    if [ "$kind" = evaluate ]; then
      rm -f "$out"/e.*
      perf stat -e task-clock -x, -o "$out/perf" "$exe" evaluate --agent random --benchmark "$env" --seeds 1 \
        --threads 1 --output "$out/e.json" > "$out/log" 2>&1
    else
      perf stat -e task-clock -x, -o "$out/perf" "$exe" bench "$env" --steps "$steps" --threads 1 > "$out/log" 2>&1
    fi
    rc=$?
    t1=$(date +%s.%N)
    wall=$(echo "$t1 - $t0" | bc)
    cpu=$(awk -F, '/task-clock/ { printf "%.4f", $1 / 1000 }' "$out/perf")
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$side" "$env" "$rc" "$wall" "$cpu" | tee -a "$rows"
  done
done
python3 "$(dirname "$0")/version_cost.py" "$rows" "$a" "$b" "$steps"
rm -rf "$out"
