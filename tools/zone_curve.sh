#!/bin/bash
# Test-split success against training steps for a goal-conditioned learner (issue 18's central
# figure): trains in stages (each `mrbench train --resume` with a larger --steps budget; a resumed
# run is byte-identical to an uninterrupted one), scores the checkpoint at every stage on the
# benchmark's test split (fetch-zones-v1: the unseen zone D; fetch-tasks-v2: slide) and appends
# one row per test task to OUT/zone_test.csv.
# Usage: tools/zone_curve.sh AGENT BENCHMARK OUT SEED CONFIG_JSON|- BUDGET...
#   tools/zone_curve.sh gargaml fetch-zones-v1 Baselines/gargaml/fetch-zones-v1-reach/seed-1 1 \
#       Baselines/gargaml/fetch-zones-v1-reach.overlay.json 2000 4000 8000 12000
# Environment: MRBENCH (default .build/release/mrbench), THREADS (default 1), EVAL_SEEDS (default 1).
set -euo pipefail
cd "$(dirname "$0")/.."
B=${MRBENCH:-.build/release/mrbench}
agent=$1 bench=$2 out=$3 seed=$4 config=$5; shift 5
threads=${THREADS:-1}
mkdir -p "$out/evaluations"
csv=$out/zone_test.csv
[ -f "$csv" ] || echo "env_steps,iteration,task,score,trials,mean_return,wall_seconds" > "$csv"
for budget in "$@"; do
  if [ -f "$out/checkpoint.mrnc" ]; then
    done_steps=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("environmentSteps", 0))' "$out/run.json" 2>/dev/null || echo 0)
    if [ "$done_steps" -ge "$budget" ]; then continue; fi
    "$B" train --agent "$agent" --benchmark "$bench" --steps "$budget" --seed "$seed" --threads "$threads" --out "$out" --resume
  else
    cfg=(); [ "$config" != "-" ] && cfg=(--config "$config")
    "$B" train --agent "$agent" --benchmark "$bench" --preset cpu "${cfg[@]}" --steps "$budget" --seed "$seed" --threads "$threads" --out "$out"
  fi
  e=$out/evaluations/steps-$budget.json
  "$B" evaluate --agent "$agent:$out/checkpoint.mrnc" --benchmark "$bench" --seeds "${EVAL_SEEDS:-1}" --threads "$threads" --output "$e" > /dev/null
  python3 - "$e" "$out/run.json" >> "$csv" <<'PY'
import json, sys
e = json.load(open(sys.argv[1])); r = json.load(open(sys.argv[2]))
tasks = e["results"]["tasks"]
items = tasks if isinstance(tasks, list) else list(tasks.items())
for name, t in items:
    print(f'{r.get("environmentSteps", "")},{r.get("iteration", "")},{name},{t["score"]},{t["trials"]},{t["meanReturn"]},{r.get("wallSeconds", "")}')
PY
done
