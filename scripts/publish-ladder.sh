#!/usr/bin/env bash
# Publishes a finished ladder study (study "ladder", docs/ladder.md) as committed reference results: the run CSVs (not
# checkpoints), the plan and the schedule summaries from out/<experiment>/ to results/<experiment>/, and rebuilds its report from
# those CSVs into reports/<experiment>/. A ladder study fits no laws, so there is nothing to refit: tests/fig1-results.test.ts recomputes the
# summaries from the committed CSVs and checks them against the committed ones.
#   usage: scripts/publish-ladder.sh EXPERIMENT.json        e.g. experiments/fig1-micro.json
set -euo pipefail
cd "$(dirname "$0")/.."
EXP="$1"
NAME=$(node -e "const e = require('./$EXP'); if (e.study !== 'ladder') { console.error('not a ladder study: $EXP'); process.exit(2); } console.log(e.name)")
OUT="out/$NAME"
[ -f "$OUT/experiment.json" ] || { echo "no finished run in $OUT (run: node bin/scaling.js run $EXP)" >&2; exit 2; }
for dir in "$OUT"/runs/*/; do
  ds=$(basename "$dir")
  mkdir -p "results/$NAME/runs/$ds"
  rm -f "results/$NAME/runs/$ds"/*.csv
  cp "$dir"*.csv "results/$NAME/runs/$ds/"
  cp "$OUT/plans/$ds.json" "results/$NAME/plan-$ds.json"
  cp "$OUT/schedules/$ds.json" "results/$NAME/summary-$ds.json"
done
cp "$OUT/experiment.json" "results/$NAME/experiment.json"
node bin/run-ts.js scripts/ladder-report.ts "$EXP"   # the report, rebuilt from the committed CSVs
echo "published results/$NAME and reports/$NAME"
