#!/usr/bin/env bash
# Fits the public Marin IsoFLOP ladders (same grid on three pre-training datasets: comma, dclm, nemotron) and builds the
# committed comparison report reports/marin/. Data: the copies in tests/fixtures/public-runs (Open-Athena/scaling-law-analysis,
# W&B exports of marin-community/marin; attribution in that folder's ATTRIBUTION.md).
#   usage: scripts/marin-report.sh [DATA_DIR]      (default: tests/fixtures/public-runs)
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${1:-tests/fixtures/public-runs}"
SEED="${SEED:-1}"

for ds in comma dclm nemotron; do
  file="$DATA/marin_202603_isoflop_${ds}.csv"
  # nemotron's export names the learning-rate column differently.
  lr=optimizer.learning_rate
  head -1 "$file" | grep -q '"optimizer.learning_rate"' || lr=learning_rate
  # As in docs/fit.md: isoflop-* rows are the grid (the exp2166 'validation-optimal' rows are not); their names count
  # 2ND = a third of C; N counts all parameters (6N2); loss is Paloma's macro average in nats/token.
  node bin/scaling.js fit "$file" \
    --filter 'Name~^isoflop-' \
    --col N=parameter_count --col D=throughput/total_tokens --col 'C=throughput/total_gflops*1e9' \
    --col loss=eval/paloma/macro_loss --col "lr=$lr" --col batch=trainer.train_batch_size --batch-unit sequences:4096 \
    --col run=Name --budget-from 'Name:^isoflop-([0-9.e+]+)-' --budget-factor 3 --representation 6N2 \
    --dataset "marin-$ds" --predict 7b,67b --seed "$SEED" \
    --out "fits/marin-${ds}.json"
done

node bin/scaling.js report fits/marin-dclm.json fits/marin-nemotron.json fits/marin-comma.json \
  --out reports/marin --title 'Marin IsoFLOP ladders: DCLM vs Nemotron vs Comma (public W&B runs)'
