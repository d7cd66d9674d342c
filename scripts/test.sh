#!/usr/bin/env bash
# The test command: installs missing native libraries, then runs every test of
# the workspace (unit tests, the tests/ integration suite, doc tests).
# Tests build with the release profile, the same artifacts `scripts/setup.sh` builds.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
scripts/setup.sh --no-build
cargo test --release --locked --workspace "$@"
