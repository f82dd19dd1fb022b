#!/usr/bin/env bash
# The demo: installs what is missing, builds, starts a throwaway PostgreSQL and the fake platform
# server (tests/fakeplatform) playing deploy/demo/scenario.toml — 相馬市 on X, Bluesky,
# Mastodon and YouTube during a typhoon: impersonators appear on two platforms, a post draws a
# flood of hostile replies, rumours spread under the evacuation notice and the shelter video —
# and runs mamorid on it with a demo console user at http://127.0.0.1:8473. Ctrl-C stops everything and removes what it made.
#   MAMORI_DEMO_PORT=N    listen on another port (default 8473)
#   MAMORI_DEMO_CHECK=1   no console session: wait until the three incidents (impersonation,
#                         flame-up, misinformation) are open, print them and exit (0, or 1 after
#                         three minutes without them); tests/run.sh uses this
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${MAMORI_JOBS:-$(nproc)}
port=${MAMORI_DEMO_PORT:-8473}
check=${MAMORI_DEMO_CHECK:-0}

echo "== dependencies"
deploy/install-deps.sh
echo "== build"
# An existing build keeps its build type (tests/run.sh builds Release); a new one gets the default.
cmake -S . -B build -G Ninja >/dev/null
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
build/bin/fakeplatform --scenario deploy/demo/scenario.toml --listen 127.0.0.1:0 \
  --port-file "$work/fake.port" >"$work/fake.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do [[ -s "$work/fake.port" ]] && break; sleep 0.1; done
fake="http://127.0.0.1:$(cat "$work/fake.port")"

# The fake platform's credentials, and a throwaway API token for this run.
export MAMORI_DEMO_X_TOKEN=x-test-bearer MAMORI_DEMO_BSKY_PASSWORD=test-app-password
export MAMORI_DEMO_MASTODON_TOKEN=mastodon-test-token MAMORI_DEMO_YOUTUBE_KEY=AIza-demo-key
MAMORI_DEMO_API_TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
export MAMORI_DEMO_API_TOKEN
sed "s|@DSN@|$dsn|; s|@FAKE@|$fake|g; s|@PORT@|$port|" deploy/demo/mamori.demo.toml.in >"$work/mamori.toml"
build/bin/mamorictl check-config "$work/mamori.toml"
build/bin/mamorictl migrate --config "$work/mamori.toml" >"$work/migrate.log" 2>&1 ||
  { cat "$work/migrate.log" >&2; exit 1; }

# A console user for this run, with a fresh password that meets the policy.
demo_password="Soma-$(head -c 9 /dev/urandom | od -An -tx1 | tr -d ' \n')-Kisaki7"
printf '%s\n' "$demo_password" |
  build/bin/mamorictl user add demo --role responder --display-name "デモ 広報担当" --config "$work/mamori.toml" >/dev/null

echo "== mamorid"

build/bin/mamorid --config "$work/mamori.toml" >"$work/mamorid.log" 2>&1 &
pids+=($!)
base="http://127.0.0.1:$port"
for _ in $(seq 1 150); do
  curl -fsS "$base/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fsS "$base/readyz" >/dev/null || { tail -n 30 "$work/mamorid.log" >&2; echo "mamorid did not become ready" >&2; exit 1; }

# The open incidents' types, one per line (the API answers JSON; no jq on a fresh machine).
open_types() {
  curl -fsS -H "Authorization: Bearer $MAMORI_DEMO_API_TOKEN" "$base/api/v1/incidents?live=1" |
    grep -o '"type":"[a-z_]*"' | sort -u | sed 's/"type":"//; s/"//'
}

if [[ "$check" == 1 ]]; then
  started=$SECONDS
  while (( SECONDS - started < 180 )); do
    types=$(open_types || true)
    if grep -qx impersonation <<<"$types" && grep -qx flameup <<<"$types" && grep -qx misinformation <<<"$types"; then
      echo "demo check: impersonation, flame-up and misinformation incidents open after $((SECONDS - started)) s"
      curl -fsS -H "Authorization: Bearer $MAMORI_DEMO_API_TOKEN" "$base/api/v1/incidents?live=1" |
        grep -o '"title":"[^"]*"' | sed 's/"title":"/  /; s/"$//'
      exit 0
    fi
    sleep 2
  done
  echo "demo check: after 180 s the open incident types are: $(open_types | tr '\n' ' ')" >&2
  tail -n 40 "$work/mamorid.log" >&2
  exit 1
fi

cat <<MSG

mamori のデモが動いています（擬似プラットフォーム: $fake）。
  Web コンソール:  $base/
    利用者名:      demo
    パスワード:    $demo_password
  約 1 分のうちに、成りすまし（X と Bluesky）、炎上の兆候、デマの拡散の 3 種類の
  インシデントが開き、それぞれの対応手順（チェックリスト）が表示されます。
  $base/metrics     Prometheus メトリクス
  API:  curl -H "Authorization: Bearer $MAMORI_DEMO_API_TOKEN" $base/api/v1/incidents
  mamorid のログ:  $work/mamorid.log
Ctrl-C で停止し、作成したものをすべて削除します。
MSG
wait "${pids[-1]}"
