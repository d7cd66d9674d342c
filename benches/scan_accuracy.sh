#!/usr/bin/env bash
# Field accuracy on generated scans, by degradation profile, for the OCR +
# layout path, a Donut alone, and the two combined (Donut asked when the
# words-based result is unsure).
#
#   benches/scan_accuracy.sh [COUNT] [SEED] [WORK_DIR]   (default 300 31415 /tmp/invex-scan-accuracy)
#   INVEX_DONUT_DIR=DIR  a Donut export (default: the tiny parity fixture,
#                        which reads nothing but the two images it memorised)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
COUNT="${1:-300}" SEED="${2:-31415}" WORK="${3:-/tmp/invex-scan-accuracy}"
INVEX="${INVEX:-${CARGO_TARGET_DIR:-$ROOT/target}/release/invex}"
DONUT="${INVEX_DONUT_DIR:-$ROOT/models/tests/fixtures/tiny-donut}"
[[ -x "$INVEX" ]] || { echo "no binary at $INVEX: run scripts/setup.sh" >&2; exit 1; }
mkdir -p "$WORK"
if [[ ! -s "$WORK/scans/scans.jsonl" ]]; then
  echo "generating $COUNT scans (seed $SEED) ..."
  "$INVEX" dataset generate --scan --count "$COUNT" --seed "$SEED" --out "$WORK/scans"
fi

# run NAME [extract options...]: extract, time it, score by profile.
run() {
  local name=$1; shift
  local started; started=$(date +%s)
  "$INVEX" extract "$WORK/scans" --no-progress --output "$WORK/$name.jsonl" "$@" 2>"$WORK/$name.log" || true
  local seconds=$(( $(date +%s) - started ))
  echo
  echo "== $name ($seconds s)"
  "$INVEX" eval --gold "$WORK/scans/groundtruth.jsonl" --pred "$WORK/$name.jsonl" \
    --groups "$WORK/scans/scans.jsonl" | sed -n '/overall field accuracy/,$p'
}

run ocr-layout
run donut --donut "$DONUT" --donut-use instead
run combined --donut "$DONUT" --donut-use when-unsure
