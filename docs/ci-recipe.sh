#!/usr/bin/env bash
# zg in a CI pipeline: start the devnet, upload and publish a dataset, publish a model trained on it, run a
# fine-tuning job to the end — every step's --json envelope parsed with jq. The README's GitHub Actions recipe runs
# this file; test/cli/ci-recipe.test.ts runs it too, so it stays true.
#
# Keys: on the devnet, ZG_ACCOUNT=dev1 (prefunded). On galileo/mainnet, set ZG_NETWORK and give the key as a secret:
# ZG_PRIVATE_KEY, or a keystore (ZG_ACCOUNT + ZG_PASSWORD) imported with `zg wallet import`.
set -euo pipefail
ZG="${ZG:-zg}"
RUN="${RUN_ID:-$(date +%s)}"
export ZG_ACCOUNT="${ZG_ACCOUNT:-dev1}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# 1. The devnet (skip on a real network). Idempotent: an already running devnet is reused.
if [ "${ZG_NETWORK:-local}" = local ]; then
  $ZG node start --detach --json | jq -e '.ok' >/dev/null
fi

# 2. A dataset: upload it (verified, resumable) and publish it as an asset.
printf '%s\n' \
  '{"messages":[{"role":"user","content":"What is 0G?"},{"role":"assistant","content":"A modular layer-1 for decentralized AI."}]}' \
  '{"messages":[{"role":"user","content":"Where do datasets live?"},{"role":"assistant","content":"On 0G Storage."}]}' \
  > "$work/train.jsonl"
DATASET_ROOT="$($ZG dataset upload "$work/train.jsonl" --json | jq -er '.data.root')"
DATASET_ID="$($ZG dataset publish "$work/train.jsonl" --name "ci-data-$RUN" --dataset-version 1.0.0 --license CC-BY-4.0 --json | jq -er '.data.assetId')"
echo "dataset $DATASET_ROOT (asset $DATASET_ID)"

# 3. A model trained on it, with two contributors.
mkdir -p "$work/model"
head -c 4096 /dev/urandom > "$work/model/weights.bin"
echo '{"architecture":"tiny"}' > "$work/model/config.json"
ME="$($ZG wallet balance --json | jq -er '.data.address')"
$ZG model init --dir "$work/model" --name "ci-model-$RUN" --license Apache-2.0 --format other \
  --contributor "$ME:7000:owner" --contributor "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC:3000:reviewer" \
  --parent-dataset "$DATASET_ID" --json | jq -e '.ok' >/dev/null
MODEL_ID="$($ZG model publish "$work/model" --json | jq -er '.data.assetId')"
echo "model asset $MODEL_ID"

# 4. A fine-tuning job on the dataset, followed to the end (exit 0 only when Finished).
$ZG compute ledger deposit --amount 5 --json | jq -e '.ok' >/dev/null
$ZG compute ack --service fine-tuning --json | jq -e '.ok' >/dev/null
JOB="$($ZG compute job submit --model zg-tinylm-chat --dataset "$DATASET_ROOT" --wait --out "$work/ft" --json)"
echo "$JOB" | jq -e '.data.progress == "Finished"' >/dev/null
echo "$JOB" | jq -e '.data.loss.last < .data.loss.first' >/dev/null   # training really learned
echo "job $(echo "$JOB" | jq -er '.data.taskId') finished, loss $(echo "$JOB" | jq -r '.data.loss.first') → $(echo "$JOB" | jq -r '.data.loss.last'), model decrypted"
