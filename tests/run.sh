#!/usr/bin/env bash
# The test command: installs what is missing, builds, starts a throwaway PostgreSQL 15 cluster,
# runs every test through ctest, then runs each fuzz target briefly. Exits non-zero on any failure.
#   MAMORI_JOBS=N          parallel build jobs (default: number of cores)
#   MAMORI_TEST_JOBS=N     parallel tests (default: MAMORI_JOBS)
#   MAMORI_FUZZ_SECONDS=N  seconds per fuzz target (default 10; 0 skips fuzzing)
#   MAMORI_BUILD_TYPE=T    CMake build type of the tested build (default Release: what a
#                          distribution packager builds, so the tests run on that build)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=${MAMORI_JOBS:-$(nproc)}
test_jobs=${MAMORI_TEST_JOBS:-$jobs}
fuzz_seconds=${MAMORI_FUZZ_SECONDS:-10}
build_type=${MAMORI_BUILD_TYPE:-Release}
# ccache, when installed, makes later runs cheap.
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi

started=$SECONDS
step() { printf '\n== %s == (%d s since start)\n' "$*" $((SECONDS - started)); }

step "dependencies"
deploy/install-deps.sh

step "format (.clang-format, clang-format 14)"
tests/support/format-check.sh

step "build ($build_type)"
# Release (-O3) is what a distribution packager builds, and GCC warns differently at -O3 (the
# build uses -Werror): one build that is both the packagers' and the tested one.
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="$build_type" "${launcher[@]}" >/dev/null
cmake --build build -j "$jobs"

step "postgresql"
pgdir=$(mktemp -d /tmp/mamori-pg.XXXXXX)
cleanup() { tests/support/pgcluster.sh destroy "$pgdir" || true; }
trap cleanup EXIT INT TERM
MAMORI_TEST_DSN=$(tests/support/pgcluster.sh start "$pgdir")
export MAMORI_TEST_DSN
echo "test cluster: $MAMORI_TEST_DSN"

step "tests"
ctest --test-dir build --output-on-failure -j "$test_jobs" --timeout 600

step "browser tests (web console)"
tests/e2e/run.sh

step "demo (deploy/demo.sh: the three incidents open within three minutes)"
MAMORI_DEMO_CHECK=1 MAMORI_DEMO_PORT=${MAMORI_DEMO_PORT:-18473} deploy/demo.sh

if [[ "$fuzz_seconds" != 0 ]]; then
  step "fuzz (${fuzz_seconds}s per target)"
  # -O1 with line tables only, as libFuzzer's and OSS-Fuzz's own builds: a crash's stack still
  # names file and line, and the build takes about a fifth less time than -O2 -g (NDEBUG as before).
  cmake -S . -B build-fuzz -G Ninja -DMAMORI_FUZZ=ON -DCMAKE_BUILD_TYPE=None \
    "-DCMAKE_C_FLAGS=-O1 -gline-tables-only -DNDEBUG" "-DCMAKE_CXX_FLAGS=-O1 -gline-tables-only -DNDEBUG" \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ "${launcher[@]}" >/dev/null
  cmake --build build-fuzz -j "$jobs"
  # One target per core at a time: each is single-threaded.
  fuzz_one() {
    local target=$1 name corpus work
    name=$(basename "$target")
    corpus="$root/tests/fuzz/corpus/${name#fuzz_}"
    work=$(mktemp -d)
    [[ -d "$corpus" ]] && cp -r "$corpus"/. "$work"/
    if ! "$target" "$work" -max_total_time="$fuzz_seconds" -rss_limit_mb=2048 -timeout=10 \
        -print_final_stats=0 >"$work.log" 2>&1; then
      echo "-- $name"
      tail -n 60 "$work.log"
      echo "fuzz target $name found a failure" >&2
      return 1
    fi
    echo "-- $name $(grep -E '^#[0-9]+.*DONE' "$work.log" | tail -n 1 || true)"
    rm -rf "$work" "$work.log"
  }
  running=()
  fuzz_failed=0
  for target in build-fuzz/bin/fuzz_*; do
    fuzz_one "$target" &
    running+=($!)
    if ((${#running[@]} >= jobs)); then
      wait "${running[0]}" || fuzz_failed=1
      running=("${running[@]:1}")
    fi
  done
  for pid in "${running[@]}"; do wait "$pid" || fuzz_failed=1; done
  ((fuzz_failed == 0)) || exit 1
fi

echo
echo "all tests passed in $((SECONDS - started)) s"
