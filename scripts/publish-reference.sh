#!/usr/bin/env bash
# Publishes an experiment's finished runs as committed reference results: copies the run CSVs (not checkpoints) from
# out/<experiment>/runs/ to results/<experiment>/runs/, fits them with `scaling fit` exactly as `scaling run` does
# (the experiment's fit options) into fits/<fitname>-<dataset>.json, and builds reports/<experiment>/ from those fits.
#   usage: scripts/publish-reference.sh EXPERIMENT.json [FITNAME]     e.g. experiments/micro.json
#          REFIT_ONLY=1 scripts/publish-reference.sh …   refit and re-report the committed results/ without copying from out/
# tests/reference-results.test.ts checks that refitting results/… gives the committed fits.
set -euo pipefail
cd "$(dirname "$0")/.."
EXP="$1"
NAME=$(node -e "console.log(require('./$EXP').name)")
FITNAME="${2:-$NAME}"
read -r WINDOW BOOT THRESH PREDICT A3 TITLE < <(node -e "
const e = require('./$EXP'); const f = e.fit ?? {};
console.log(f.window ?? 0, f.bootstrap ?? 1000, f.hyperThreshold ?? 0.0025, (f.predict ?? ['7b','67b']).join(','),
  (e.study ?? 'isoflop') === 'isoflop' ? '--approach3' : '--no-approach3', JSON.stringify(e.report?.title ?? e.name))")
FITS=()
SRC="out/$NAME/runs"
[ "${REFIT_ONLY:-0}" = 1 ] && SRC="results/$NAME/runs"
for dir in "$SRC"/*/; do
  ds=$(basename "$dir")
  if [ "${REFIT_ONLY:-0}" != 1 ]; then
    mkdir -p "results/$NAME/runs/$ds"
    rm -f "results/$NAME/runs/$ds"/*.csv
    cp "$dir"*.csv "results/$NAME/runs/$ds/"
  fi
  out="fits/${FITNAME}-${ds}.json"
  [ "$FITNAME" != "$NAME" ] && out="fits/${FITNAME}.json"
  node bin/scaling.js fit "results/$NAME/runs/$ds/*.csv" --dataset "$ds" --name "$(basename "$out" .json)" \
    --window "$WINDOW" --bootstrap "$BOOT" --hyper-threshold "$THRESH" --predict "$PREDICT" "$A3" --seed 1 --out "$out" > "results/$NAME/fit-$ds.txt"
  FITS+=("$out")
done
# A hyperparameter study is drawn with DeepSeek 7B/67B's batch and LR (Fig. 3, Table 2), as `scaling run` does; others stay on their budgets.
TARGETS=()
[ "$(node -e "console.log(require('./$EXP').study ?? 'isoflop')")" = hparams ] && TARGETS=(--targets 7b,67b)
node bin/scaling.js report "${FITS[@]}" --runs "results/$NAME/runs/**/*.csv" --out "reports/$NAME" --title "$(node -e "console.log($TITLE)")" "${TARGETS[@]}"
