#!/usr/bin/env bash
# Supplier-memory replay (issue 14), not run in CI (the test suite runs a
# smaller replay on both databases): one `invex serve` on SQLite, two
# tenants, and benches/memory_replay.py on
#   - generated recurring suppliers (`--per-supplier`): SUPPLIERS x PER invoices;
#   - the real corpus's issuers with more than one invoice (files restored
#     with datasets/real/restore.py where they are not in the repository).
# Prints, per set, accuracy on the later invoices without and with memory.
# The service reads pages only (`--e-invoice off`, E_INVOICE=check to
# change it): an e-invoice's XML fields are exact and memory never touches
# them, so the PDFs that carry one are read here as plain PDFs.
#
# usage: benches/memory_replay.sh [SUPPLIERS] [PER]   (default 30 4)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${INVEX_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/invex}
SUPPLIERS=${1:-30}
PER=${2:-4}
[[ -x $BIN ]] || { echo "build first: cargo build --release ($BIN)" >&2; exit 1; }
export LD_LIBRARY_PATH="$ROOT/.native/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
TMP=$(mktemp -d)
SERVE=
cleanup() { [[ -n $SERVE ]] && kill "$SERVE" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT

COMMON=(--data-dir "$TMP/data" --log warn)
"$BIN" dataset generate --count $((SUPPLIERS * PER)) --per-supplier "$PER" --seed 1414 \
  --out "$TMP/gen" >/dev/null 2>&1
BEFORE=$("$BIN" tenants create Before "${COMMON[@]}" | grep -o 'ivx_[A-Za-z0-9_]*' | head -1)
AFTER=$("$BIN" tenants create After "${COMMON[@]}" | grep -o 'ivx_[A-Za-z0-9_]*' | head -1)
INVEX_E_INVOICE=${E_INVOICE:-off} "$BIN" serve --workers 2 --listen 127.0.0.1:0 --rate-limit-per-minute 10000000 "${COMMON[@]}" \
  >"$TMP/serve.out" 2>"$TMP/serve.log" &
SERVE=$!
for _ in $(seq 100); do grep -q 'http://' "$TMP/serve.out" 2>/dev/null && break; sleep 0.1; done
URL=$(grep -o 'http://[0-9.:]*' "$TMP/serve.out" | head -1)
[[ -n $URL ]] || { echo "invex serve did not start:" >&2; tail -5 "$TMP/serve.log" >&2; exit 1; }

REAL="$ROOT/datasets/real"
SETS=("generated:$TMP/gen/groundtruth.jsonl:$TMP/gen:supplier")
for part in tune test; do
  SETS+=("real-$part:$REAL/$part/groundtruth.jsonl:$REAL:manifest:issuer")
done
started=$(date +%s)
python3 "$ROOT/benches/memory_replay.py" "$URL" "$BEFORE" "$AFTER" "${SETS[@]}"
echo "replayed in $(( $(date +%s) - started )) s"
