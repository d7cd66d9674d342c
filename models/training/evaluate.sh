#!/usr/bin/env bash
# Field accuracy (by shared/eval/score.py's rules, through `invex eval`) of
# the rules alone, the layout model alone, and the two combined, on
#   - invoices from layout families the shipped model never saw in training,
#   - invoices from the training families with an unseen seed,
#   - ../shared/eval/dev (four real invoices),
# plus the calibration table of the combined extractor.
#
#   models/training/evaluate.sh [MODEL_DIR] [fp32|int8]
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BIN="${INVEX_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/invex}"
MODEL="${1:-$ROOT/models/shipped/invex-layout}"
VARIANT="${2:-fp32}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
HELD_OUT=$(sed -n 's/^HELD_OUT="\(.*\)"/\1/p' "$HERE/run.sh")
TRAINED=$("$BIN" dataset families | grep -vxF -f <(tr ',' '\n' <<<"$HELD_OUT") | paste -sd, -)

"$BIN" dataset generate --count 300 --seed 4242 --families "$HELD_OUT" --out "$WORK/heldout" 2>/dev/null
"$BIN" dataset generate --count 300 --seed 4343 --families "$TRAINED" --out "$WORK/seen" 2>/dev/null

printf '%-34s %8s %8s %8s\n' "set" rules model combined
for set in heldout seen dev; do
  dir="$WORK/$set"; gold="$dir/groundtruth.jsonl"
  [[ $set == dev ]] && dir="$ROOT/../shared/eval/dev" gold="$ROOT/../shared/eval/dev/groundtruth.jsonl"
  row=()
  for ex in rules model combined; do
    "$BIN" extract "$dir" --extractor "$ex" --model "$MODEL" --model-variant "$VARIANT" \
      --no-progress --output "$WORK/$set-$ex.jsonl" >/dev/null 2>&1 || true
    row+=("$("$BIN" eval --gold "$gold" --pred "$WORK/$set-$ex.jsonl" --json |
      python3 -c 'import json,sys; print(round(json.load(sys.stdin)["overall"], 4))')")
  done
  case $set in
    heldout) label="held-out families ($HELD_OUT)" ;;
    seen) label="training families, new seed" ;;
    dev) label="shared/eval/dev (4 real)" ;;
  esac
  printf '%-34s %8s %8s %8s\n' "${label:0:34}" "${row[@]}"
done
echo
echo "calibration of the combined extractor on the held-out families:"
"$BIN" eval --gold "$WORK/heldout/groundtruth.jsonl" --pred "$WORK/heldout-combined.jsonl" --calibration | sed -n '/confidence >=/,$p'
echo
echo "calibration of the model alone on the held-out families:"
"$BIN" eval --gold "$WORK/heldout/groundtruth.jsonl" --pred "$WORK/heldout-model.jsonl" --calibration | sed -n '/confidence >=/,$p'
