#!/usr/bin/env bash
# Trains, exports and checks invex's layout model. Makes its own venv (outside
# the clone, reused) from requirements.lock; the data comes from the invex
# binary's generator, so build it first (scripts/setup.sh does).
#
#   models/training/run.sh smoke [OUT]   tiny end-to-end run in about a minute (CI)
#   models/training/run.sh full          the shipped model (about 1.5 h on 2 cores)
#   models/training/run.sh export        re-export the full run's best checkpoint
#   models/training/run.sh finetune REVIEWED.parquet BASE_DIR OUT
#                                        fine-tune BASE_DIR on `invex learn export`'s
#                                        Parquet mixed with generated invoices, export
#                                        to OUT (resumable: run it again to go on)
#   models/training/run.sh donut-fixture [OUT]   the tiny Donut parity fixture
#                                        (models/tests/fixtures/tiny-donut; about a minute)
#
# FINETUNE_ARGS adds options to invex_train.finetune (--max-steps, --epochs, ...);
# FINETUNE_GENERATED is how many generated invoices are mixed in (default 200).
# Environment: INVEX_TRAIN_VENV (venv path), INVEX_TRAIN_WORK (data and
# checkpoints, default ~/.cache/invex-train/work), INVEX_BIN (the invex binary).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
VENV="${INVEX_TRAIN_VENV:-$HOME/.cache/invex-train/venv}"
WORK="${INVEX_TRAIN_WORK:-$HOME/.cache/invex-train/work}"
BIN="${INVEX_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/invex}"
SHIPPED="$ROOT/models/shipped/invex-layout"

# Layout families the shipped model never sees, so that its accuracy on them
# measures generalisation to layouts nobody trained on.
HELD_OUT="two_column_header,letterhead_centered,payment_slip_footer"

say() { printf '\033[1mtrain:\033[0m %s\n' "$*"; }

venv() {
  local stamp="$VENV/.lock-sha256" want
  want=$(sha256sum "$HERE/requirements.lock" | cut -d' ' -f1)
  if [[ ! -x "$VENV/bin/python" || "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
    say "creating the training venv in $VENV (PyTorch is about 3 GB)"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --upgrade pip
    "$VENV/bin/pip" install --quiet -r "$HERE/requirements.lock"
    echo "$want" > "$stamp"
  fi
}

py() { (cd "$HERE" && "$VENV/bin/python" -m "$@"); }

# data NAME SEED COUNT [FAMILIES]: generated invoices plus their token JSONL.
data() {
  local name=$1 seed=$2 count=$3 families=${4:-}
  local dir="$WORK/data/$name"
  if [[ -s "$dir.jsonl" ]]; then return; fi
  rm -rf "$dir"
  "$BIN" dataset generate --count "$count" --seed "$seed" --out "$dir" \
    ${families:+--families "$families"} >/dev/null 2>&1
  "$BIN" dataset tokens "$dir" --output "$dir.jsonl.part"
  mv "$dir.jsonl.part" "$dir.jsonl"
}

families_except() {
  "$BIN" dataset families | grep -vxF -f <(tr ',' '\n' <<<"$1") | paste -sd, -
}

if [[ ${1:-} == donut-fixture ]]; then
  # The tiny Donut parity fixture: needs the venv only, not the invex binary.
  venv
  py invex_train.donut_fixture --out "${2:-$ROOT/models/tests/fixtures/tiny-donut}"
  exit
fi

[[ -x "$BIN" ]] || { echo "train: $BIN not found; run scripts/setup.sh first" >&2; exit 1; }
venv
mkdir -p "$WORK/data"
"$BIN" dataset labels > "$WORK/labels.json"

case "${1:-}" in
  smoke)
    # Fresh data every time, so the generator and `invex dataset tokens` are exercised too.
    OUT="${2:-$WORK/smoke/model}"
    WORK="$(mktemp -d)"; trap 'rm -rf "$WORK"' EXIT; mkdir -p "$WORK/data"
    "$BIN" dataset labels > "$WORK/labels.json"
    data train 901 60
    data val 902 12
    rm -rf "$WORK/run"
    py invex_train.train --train-data "$WORK/data/train.jsonl" --val-data "$WORK/data/val.jsonl" \
      --labels "$WORK/labels.json" --out "$WORK/run" --size tiny --vocab-size 600 \
      --batch-size 8 --max-steps 40 --eval-every 20 --val-docs 12
    py invex_train.export --checkpoint "$WORK/run/best" --out "$OUT" --name invex-layout-tiny \
      --version 0.0.0-smoke --eval "val=$WORK/data/val.jsonl" --reference-docs 2 \
      --training '{"command": "models/training/run.sh smoke"}'
    # The Rust side must load what Python exported: hashes, config, tokenizer, graphs.
    "$BIN" models verify "$OUT"
    ;;
  finetune)
    REVIEWED="${2:?the Parquet of invex learn export}"; BASE="${3:?the base model directory}"
    OUT="${4:?where to export the fine-tuned model}"
    [[ -s "$REVIEWED" ]] || { echo "train: $REVIEWED is empty or missing" >&2; exit 1; }
    DATA_SHA=$(sha256sum "$REVIEWED" | cut -d' ' -f1)
    BASE_SHA=$(sha256sum "$BASE/model.onnx" | cut -d' ' -f1)
    # One run folder per (data, base): running again resumes it.
    RUN="$WORK/finetune/${DATA_SHA:0:12}-${BASE_SHA:0:12}"
    mkdir -p "$RUN"
    data "finetune-mix" 301 "${FINETUNE_GENERATED:-200}"
    py invex_train.finetune --base "$BASE" --reviewed "$REVIEWED" \
      --generated "$WORK/data/finetune-mix.jsonl" --out "$RUN" --resume ${FINETUNE_ARGS:-}
    BASE_NAME=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["name"] + "@" + m["version"])' "$BASE/manifest.json")
    py invex_train.export --checkpoint "$RUN/best" --out "$OUT" --name invex-layout \
      --version "ft-$(date -u +%Y%m%d%H%M%S)" --reference-docs 1 \
      --eval "generated=$WORK/data/finetune-mix.jsonl" --eval-docs 20 \
      --training "$(printf '{"command": "models/training/run.sh finetune", "base": "%s", "data_sha256": "%s", "generated_mixed_in": %s}' "$BASE_NAME" "$DATA_SHA" "${FINETUNE_GENERATED:-200}")"
    "$BIN" models verify "$OUT"
    ;;
  full|export)
    TRAIN_FAMILIES=$(families_except "$HELD_OUT")
    if [[ $1 == full ]]; then
      for seed in 101 102 103 104; do data "train-$seed" "$seed" 5000 "$TRAIN_FAMILIES"; done
      cat "$WORK"/data/train-10{1,2,3,4}.jsonl > "$WORK/data/train.jsonl"
    fi
    data val 201 400 "$TRAIN_FAMILIES"
    data heldout 20261123 300 "$HELD_OUT"
    if [[ $1 == full ]]; then
      py invex_train.train --train-data "$WORK/data/train.jsonl" --val-data "$WORK/data/val.jsonl" \
        --labels "$WORK/labels.json" --out "$WORK/run" --resume ${TRAIN_ARGS:-}
    fi
    py invex_train.export --checkpoint "$WORK/run/best" --out "$SHIPPED" --version "${VERSION:-1.0.0}" \
      --eval "heldout=$WORK/data/heldout.jsonl" --eval "val=$WORK/data/val.jsonl" \
      --training "$(printf '{"command": "models/training/run.sh full", "train_seeds": [101, 102, 103, 104], "train_documents": 20000, "train_families": "%s", "held_out_families": "%s", "validation_seed": 201, "held_out_seed": 20261123}' "$TRAIN_FAMILIES" "$HELD_OUT")"
    ;;
  *)
    sed -n '2,15p' "$0"; exit 2 ;;
esac
