#!/usr/bin/env bash
# The demo: installs what is missing, builds, starts a throwaway PostgreSQL and the fake platform
# server (tests/fakeplatform, scripted scenario: a city on X, Bluesky and Mastodon, replies
# arriving, an impersonator appearing), and runs mamorid on it at http://127.0.0.1:8473.
# Ctrl-C stops everything and removes what the demo made.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${MAMORI_JOBS:-$(nproc)}

echo "== dependencies"
deploy/install-deps.sh
echo "== build"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$jobs" --target mamorid mamorictl fakeplatform

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
echo "== fake platform"
build/bin/fakeplatform --scenario tests/fakeplatform/scenarios/small.toml --listen 127.0.0.1:0 \
  --port-file "$work/fake.port" >"$work/fake.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do [[ -s "$work/fake.port" ]] && break; sleep 0.1; done
fake="http://127.0.0.1:$(cat "$work/fake.port")"

# The fake platform's credentials, and a throwaway API token for this run.
export MAMORI_DEMO_X_TOKEN=x-test-bearer MAMORI_DEMO_BSKY_PASSWORD=test-app-password
export MAMORI_DEMO_MASTODON_TOKEN=mastodon-test-token
MAMORI_DEMO_API_TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
export MAMORI_DEMO_API_TOKEN
sed "s|@DSN@|$dsn|; s|@FAKE@|$fake|g" deploy/demo/mamori.demo.toml.in >"$work/mamori.toml"
build/bin/mamorictl check-config "$work/mamori.toml"

echo "== mamorid"
build/bin/mamorid --config "$work/mamori.toml" &
pids+=($!)
for _ in $(seq 1 100); do
  curl -fsS http://127.0.0.1:8473/readyz >/dev/null 2>&1 && break
  sleep 0.1
done
cat <<MSG

mamori のデモが動いています（擬似プラットフォーム: $fake）:
  http://127.0.0.1:8473/healthz   プロセスの生存確認
  http://127.0.0.1:8473/readyz    データベース接続の確認
  http://127.0.0.1:8473/metrics   Prometheus メトリクス
インシデント一覧（数十秒後に成りすましアカウント @soma__city の検知が現れます）:
  curl -H "Authorization: Bearer $MAMORI_DEMO_API_TOKEN" http://127.0.0.1:8473/api/v1/incidents
Ctrl-C で停止します。
MSG
wait "${pids[-1]}"
