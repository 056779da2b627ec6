#!/usr/bin/env bash
# Regenerates every committed leaderboard entry (same agent, benchmark and seeds as the entry it
# replaces) with the release build, then validates them and rebuilds LEADERBOARD.md and index.html.
# Needed whenever a benchmark digest changes (a model, task set, protocol or behaviour fingerprint).
# About 20 minutes on two idle cores (ml10-v1 alone about 7); several times that on busy ones.
#   swift build -c release --product mrbench && leaderboard/regenerate.sh
set -euo pipefail
cd "$(dirname "$0")/.."
B=${MRBENCH:-.build/release/mrbench}
for f in leaderboard/entries/*/*.json; do
  case $f in *.run.json|*.partial.json|*.shard-*) continue ;; esac
  bench=$(basename "$(dirname "$f")")
  agent=$(basename "$f" .json)
  # Trained baselines are scored from their shipped checkpoint (Baselines/<agent>/<benchmark>/).
  spec=$agent
  case $agent in random|expert) ;; *) spec="$agent:Baselines/$agent/$bench/checkpoint.mrnc" ;; esac
  seeds=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["protocol"]["seeds"])' "$f")
  echo "$(date +%H:%M:%S) $bench / $agent ($seeds seeds)"
  "$B" evaluate --agent "$spec" --benchmark "$bench" --seeds "$seeds" --threads "${THREADS:-2}" > /dev/null
done
"$B" leaderboard validate > /dev/null
"$B" leaderboard build
