#!/usr/bin/env bash
# The demo: installs what is missing, builds, starts a throwaway PostgreSQL and runs mamorid on
# the bundled demo configuration at http://127.0.0.1:8473. Ctrl-C stops everything and removes
# what the demo made.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${MAMORI_JOBS:-$(nproc)}

echo "== dependencies"
deploy/install-deps.sh
echo "== build"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$jobs" --target mamorid mamorictl

work=$(mktemp -d /tmp/mamori-demo.XXXXXX)
pgdir=$(mktemp -d /tmp/mamori-demo-pg.XXXXXX)  # its own dir: PostgreSQL runs as `postgres`
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  tests/support/pgcluster.sh destroy "$pgdir" >/dev/null 2>&1 || true
  rm -rf "$work"
  echo "demo stopped; temporary files removed"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== postgresql"
dsn=$(tests/support/pgcluster.sh start "$pgdir")
sed "s|@DSN@|$dsn|" deploy/demo/mamori.demo.toml.in >"$work/mamori.toml"
build/bin/mamorictl check-config "$work/mamori.toml"

echo "== mamorid"
build/bin/mamorid --config "$work/mamori.toml" &
pids+=($!)
for _ in $(seq 1 100); do
  curl -fsS http://127.0.0.1:8473/readyz >/dev/null 2>&1 && break
  sleep 0.1
done
cat <<MSG

mamori のデモが動いています:
  http://127.0.0.1:8473/healthz   プロセスの生存確認
  http://127.0.0.1:8473/readyz    データベース接続の確認
  http://127.0.0.1:8473/metrics   Prometheus メトリクス
Ctrl-C で停止します。
MSG
wait "${pids[0]}"
