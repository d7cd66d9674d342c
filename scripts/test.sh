#!/usr/bin/env bash
# The test command: installs missing native libraries, then runs every test of
# the workspace (unit tests, the tests/ integration suite, doc tests), 30 s of
# fuzzing per reader, then a seconds-long training smoke test of models/training
# and the learning loop at smoke size (tests/retrain_loop.py).
# Tests build with the release profile, the same artifacts `scripts/setup.sh` builds.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
scripts/setup.sh --no-build
# The PostgreSQL tests need a server: 127.0.0.1:5432 or INVEX_TEST_POSTGRES_URL,
# else a throw-away cluster is started (and Debian's postgresql installed).
source scripts/throwaway-postgres.sh
# The S3 tests run against moto, a local S3 server, from a venv of its own.
MOTO_VENV="$HOME/.cache/invex-moto/venv"
if [[ ! -x "$MOTO_VENV/bin/moto_server" ]]; then
  echo "installing moto (a local S3 server for the tests) into $MOTO_VENV" >&2
  python3 -m venv "$MOTO_VENV"
  "$MOTO_VENV/bin/pip" install --quiet --disable-pip-version-check "moto[server]"
fi
export INVEX_MOTO_SERVER="$MOTO_VENV/bin/moto_server"
cargo test --release --locked --workspace "$@"
# Fuzzing on stable Rust: 30 s of mutated PDFs, images, e-invoice XML, SIE
# files and invoice text through their readers; any panic fails the run
# (examples/fuzz.rs; inputs that panicked are kept under target/fuzz).
if [[ "${INVEX_SKIP_FUZZ:-0}" != 1 ]]; then
  cargo run --release --locked --example fuzz -- all --seconds "${INVEX_FUZZ_SECONDS:-30}" \
    --out "${CARGO_TARGET_DIR:-$ROOT/target}/fuzz"
fi
# The training scripts must not rot: a tiny train + export + parity + Rust
# load, in about a minute (the first run also creates the PyTorch venv).
if [[ "${INVEX_SKIP_TRAINING_SMOKE:-0}" != 1 ]]; then
  INVEX_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/invex" \
    models/training/run.sh smoke "$(mktemp -d)/model"
  # The learning loop at smoke size (a few minutes): reviews through the API,
  # export, fine-tune, gate, promote, hot swap, rollback, a worse model refused.
  INVEX_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/invex" \
    LD_LIBRARY_PATH="$ROOT/.native/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
    FINETUNE_ARGS="${FINETUNE_ARGS:---epochs 4 --eval-every 25}" \
    "${INVEX_TRAIN_VENV:-$HOME/.cache/invex-train/venv}/bin/python" tests/retrain_loop.py
fi
