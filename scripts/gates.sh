#!/usr/bin/env bash
# The engineering gates beyond the build and the tests (docs/design/engineering.md): run by
# scripts/test.sh after the build, so a failing gate fails CI (.ci/run).
#   clang-tidy  scripts/tidy.sh: .clang-tidy's checks and clang's -Wthread-safety, as errors
# Usage: scripts/gates.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${1:-build}"
bash scripts/tidy.sh --build "$BUILD_DIR"
