#!/usr/bin/env bash
# Runs clang-tidy with the repository's .clang-tidy over mamori's own sources, as compiled in
# BUILD_DIR/compile_commands.json (configure with -DCMAKE_EXPORT_COMPILE_COMMANDS=ON, build once
# so generated sources exist). Exits non-zero when any enabled check reports something.
#   usage: tests/support/clang-tidy.sh [BUILD_DIR] [PATH_REGEX]
#     PATH_REGEX  which files (default: the library and program folders, not tests/ or bench/)
#   MAMORI_JOBS=N parallel clang-tidy processes (default: number of cores)
# It parses every file again (about 10 s of CPU each, 20-30 min for the whole tree on 2 cores),
# which is why tests/run.sh does not run it on every change.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
build=${1:-build}
regex=${2:-"^$root/(model|collectors|detectors|playbooks|daemon)/"}
jobs=${MAMORI_JOBS:-$(nproc)}
[[ -f $build/compile_commands.json ]] ||
  { echo "clang-tidy: $build/compile_commands.json is missing (cmake -DCMAKE_EXPORT_COMPILE_COMMANDS=ON)" >&2; exit 1; }
command -v run-clang-tidy >/dev/null ||
  { echo "clang-tidy: run-clang-tidy is missing (apt install clang-tidy)" >&2; exit 1; }
run-clang-tidy -p "$build" -j "$jobs" -quiet "$regex"
