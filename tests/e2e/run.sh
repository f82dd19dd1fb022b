#!/usr/bin/env bash
# Browser tests of the web console: Debian's Chromium driven headless by playwright-core, against
# a real mamorid on a throwaway PostgreSQL and the fake platform's scenario. Screenshots of every
# page go to build/e2e-artifacts/ (kept locally, sent nowhere).
#   MAMORI_BUILD_DIR=DIR   where mamorid, mamorictl and fakeplatform are (default: build)
#   MAMORI_E2E_KEEP=1      keep the temporary directory (configuration, logs) after the run
#   MAMORI_E2E_COMMAND=CMD run CMD (e.g. a shell) instead of the tests, with the stack up and
#                          the MAMORI_E2E_* variables set, to look at the console by hand
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
build=$(cd "${MAMORI_BUILD_DIR:-build}" && pwd)
e2e=$root/tests/e2e
artifacts=$build/e2e-artifacts
chromium=${MAMORI_CHROMIUM:-/usr/bin/chromium}

for tool in node npm "$chromium" "$build/bin/mamorid" "$build/bin/mamorictl" "$build/bin/fakeplatform"; do
  command -v "$tool" >/dev/null || { echo "e2e: $tool is missing (deploy/install-deps.sh, then build)" >&2; exit 1; }
done

# playwright-core and axe-core at the locked versions; no download when they are already there.
installed_matches_lock() {
  node -e '
    const lock = require(process.argv[1] + "/package-lock.json");
    for (const name of ["playwright-core", "axe-core"]) {
      const want = lock.packages["node_modules/" + name].version;
      const have = require(process.argv[1] + "/node_modules/" + name + "/package.json").version;
      if (want !== have) process.exit(1);
    }' "$e2e" 2>/dev/null
}
if ! installed_matches_lock; then
  (cd "$e2e" && npm ci --no-audit --no-fund --prefer-offline --loglevel=error)
fi

work=$(mktemp -d /tmp/mamori-e2e.XXXXXX)
pgdir=$(mktemp -d /tmp/mamori-e2e-pg.XXXXXX)
pids=()
cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  tests/support/pgcluster.sh destroy "$pgdir" >/dev/null 2>&1 || true
  if [[ $status -ne 0 ]]; then
    echo "---- mamorid log (last 40 lines)" >&2
    tail -n 40 "$work/mamorid.log" >&2 2>/dev/null || true
  fi
  if [[ "${MAMORI_E2E_KEEP:-0}" == 1 ]]; then echo "e2e: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

dsn=$(tests/support/pgcluster.sh start "$pgdir")

# The console polls every few seconds here, far more often than a real deployment. Mastodon reads
# all go with the access token (one budget of 300 requests per 5 min), which these intervals would
# use up within minutes and starve the later tests' look-alike searches; give the fake's token a
# larger budget instead of slowing the whole suite.
sed 's/^rate_limit = { limit = 300, window = 300 }/rate_limit = { limit = 6000, window = 300 }/' \
  tests/fakeplatform/scenarios/small.toml >"$work/scenario.toml"
grep -q 'limit = 6000' "$work/scenario.toml" || { echo "e2e: scenario budget not raised" >&2; exit 1; }
# The second town of the towns stack (below): its official account on X.
cat >>"$work/scenario.toml" <<'EOF'

[[account]]
platform = "x"
id = "1402345678901239001"
handle = "shinchi_town"
display_name = "新地町"
description = "福島県新地町の公式アカウントです。"
url = "https://www.shinchi-town.jp/"
created_at = "2014-04-01T00:00:00.000Z"
followers = 3100
EOF
"$build/bin/fakeplatform" --scenario "$work/scenario.toml" --listen 127.0.0.1:0 \
  --port-file "$work/fake.port" >"$work/fake.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do [[ -s "$work/fake.port" ]] && break; sleep 0.1; done
[[ -s "$work/fake.port" ]] || { echo "e2e: the fake platform did not start" >&2; cat "$work/fake.log" >&2; exit 1; }
fake="http://127.0.0.1:$(cat "$work/fake.port")"
port=$(free_port)

export MAMORI_E2E_X_TOKEN=x-test-bearer MAMORI_E2E_BSKY_PASSWORD=test-app-password
export MAMORI_E2E_MASTODON_TOKEN=mastodon-test-token
MAMORI_E2E_API_TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
export MAMORI_E2E_API_TOKEN
cat >"$work/mamori.toml" <<EOF
[log]
level = "info"
[municipality]
name = "相馬市"
name_kana = "そうまし"
name_romaji = "Soma City"
homepage = "https://www.city.soma.fukushima.jp/"
neighbours = ["南相馬市"]
department = "秘書課広報広聴係"
# Pages the automatic checks and the compliance audit fetch: on loopback (the fake platform
# answers 404), never the real city's site.
official_account_list_url = "$fake/city/sns/"
notice_url = "$fake/city/oshirase/"
contact_phone = "0244-00-0000"
contact_email = "koho@city.soma.example.lg.jp"
police_station = "相馬警察署 生活安全課"
[server]
listen = "127.0.0.1:$port"
drain_timeout = "2s"
[database]
dsn = "$dsn"
[http_client]
allowed_hosts = ["127.0.0.1"]
[platforms.x]
enabled = true
api_base = "$fake"
bearer_token = "env:MAMORI_E2E_X_TOKEN"
[platforms.bluesky]
enabled = true
api_base = "$fake"
pds_base = "$fake"
identifier = "soma-city.bsky.social"
app_password = "env:MAMORI_E2E_BSKY_PASSWORD"
[platforms.mastodon]
enabled = true
instance = "$fake"
access_token = "env:MAMORI_E2E_MASTODON_TOKEN"
[polling]
profiles = "5s"
posts = "2s"
replies = "2s"
search = "3s"
[[accounts]]
platform = "x"
handle = "soma_city"
display_name = "相馬市"
[[accounts]]
platform = "bluesky"
handle = "soma-city.bsky.social"
display_name = "相馬市"
[[accounts]]
platform = "mastodon"
handle = "soma_city"
display_name = "相馬市"
[[api_tokens]]
name = "e2e-setup"
role = "responder"
token = "env:MAMORI_E2E_API_TOKEN"
EOF

"$build/bin/mamorictl" migrate --config "$work/mamori.toml" >"$work/migrate.log" 2>&1 \
  || { cat "$work/migrate.log" >&2; exit 1; }

# Staff accounts: a responder with TOTP, and a viewer. The TOTP secret is read back from the
# otpauth:// URI that `user add --totp` prints.
responder_password='Kouhou#Soma2024'
viewer_password='Etsuran#Soma2024'
add_out=$(printf '%s\n' "$responder_password" | "$build/bin/mamorictl" user add tanaka --role responder \
  --display-name "田中 広報" --totp --config "$work/mamori.toml")
totp_secret=$(printf '%s\n' "$add_out" | grep -o 'secret=[A-Z2-7]*' | head -n 1 | cut -d= -f2)
[[ -n "$totp_secret" ]] || { echo "e2e: no TOTP secret in 'mamorictl user add --totp' output" >&2; exit 1; }
printf '%s\n' "$viewer_password" | "$build/bin/mamorictl" user add sato --role viewer \
  --display-name "佐藤 閲覧" --config "$work/mamori.toml" >/dev/null

"$build/bin/mamorid" --config "$work/mamori.toml" >"$work/mamorid.log" 2>&1 &
pids+=($!)
console="http://127.0.0.1:$port"
for _ in $(seq 1 150); do
  curl -fsS "$console/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "$console/readyz" >/dev/null || { echo "e2e: mamorid is not ready" >&2; exit 1; }

# The towns stack (issue 20): a second mamorid serving two municipalities (相馬市 and 新地町) on a
# database of its own in the same cluster, X only and polling slowly (it shares the fake's
# budget), with a prefecture user of every town and a user of 相馬市 only.
psql "$dsn" -qAt -c 'CREATE DATABASE towns' >/dev/null
towns_dsn=${dsn/dbname=postgres/dbname=towns}
towns_port=$(free_port)
cat >"$work/towns.toml" <<EOF
[log]
level = "info"
[[municipalities]]
id = "soma"
name = "相馬市"
name_kana = "そうまし"
homepage = "https://www.city.soma.fukushima.jp/"
official_account_list_url = "$fake/city/sns/"
[[municipalities.accounts]]
platform = "x"
handle = "soma_city"
display_name = "相馬市"
[[municipalities]]
id = "shinchi"
name = "新地町"
name_kana = "しんちまち"
homepage = "https://www.shinchi-town.jp/"
official_account_list_url = "$fake/shinchi/sns/"
[[municipalities.accounts]]
platform = "x"
handle = "shinchi_town"
display_name = "新地町"
[server]
listen = "127.0.0.1:$towns_port"
drain_timeout = "2s"
[database]
dsn = "$towns_dsn"
[http_client]
allowed_hosts = ["127.0.0.1"]
[platforms.x]
enabled = true
api_base = "$fake"
bearer_token = "env:MAMORI_E2E_X_TOKEN"
[polling]
profiles = "60s"
posts = "120s"
replies = "120s"
search = "300s"
EOF
"$build/bin/mamorictl" migrate --config "$work/towns.toml" >"$work/towns-migrate.log" 2>&1 \
  || { cat "$work/towns-migrate.log" >&2; exit 1; }
prefecture_password='Kenchou#Fukushima2024'
town_password='Kouhou#Soma2024'
add_out=$(printf '%s\n' "$prefecture_password" | "$build/bin/mamorictl" user add suzuki --role responder \
  --display-name "福島県 情報政策課" --totp --config "$work/towns.toml")
prefecture_totp=$(printf '%s\n' "$add_out" | grep -o 'secret=[A-Z2-7]*' | head -n 1 | cut -d= -f2)
add_out=$(printf '%s\n' "$town_password" | "$build/bin/mamorictl" user add yamada --role responder \
  --display-name "相馬市 広報" --totp --config "$work/towns.toml")
town_totp=$(printf '%s\n' "$add_out" | grep -o 'secret=[A-Z2-7]*' | head -n 1 | cut -d= -f2)
[[ -n "$prefecture_totp" && -n "$town_totp" ]] || { echo "e2e: no TOTP secret for the towns' users" >&2; exit 1; }
"$build/bin/mamorictl" user scope yamada --municipalities soma --config "$work/towns.toml" >/dev/null
"$build/bin/mamorid" --config "$work/towns.toml" >"$work/towns-mamorid.log" 2>&1 &
pids+=($!)
towns_console="http://127.0.0.1:$towns_port"
for _ in $(seq 1 150); do
  curl -fsS "$towns_console/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "$towns_console/readyz" >/dev/null \
  || { tail -n 40 "$work/towns-mamorid.log" >&2; echo "e2e: the towns' mamorid is not ready" >&2; exit 1; }

rm -rf "$artifacts"
mkdir -p "$artifacts"
export MAMORI_E2E_CONSOLE=$console MAMORI_E2E_FAKE=$fake MAMORI_E2E_ARTIFACTS=$artifacts
export MAMORI_E2E_CHROMIUM=$chromium
export MAMORI_E2E_RESPONDER="tanaka" MAMORI_E2E_RESPONDER_PASSWORD=$responder_password
export MAMORI_E2E_RESPONDER_TOTP=$totp_secret
export MAMORI_E2E_VIEWER="sato" MAMORI_E2E_VIEWER_PASSWORD=$viewer_password
export MAMORI_E2E_TOWNS_CONSOLE=$towns_console
export MAMORI_E2E_TOWNS_PREFECTURE="suzuki" MAMORI_E2E_TOWNS_PREFECTURE_PASSWORD=$prefecture_password
export MAMORI_E2E_TOWNS_PREFECTURE_TOTP=$prefecture_totp
export MAMORI_E2E_TOWNS_TOWN="yamada" MAMORI_E2E_TOWNS_TOWN_PASSWORD=$town_password
export MAMORI_E2E_TOWNS_TOWN_TOTP=$town_totp
if [[ -n "${MAMORI_E2E_COMMAND:-}" ]]; then
  (cd "$e2e" && bash -c "$MAMORI_E2E_COMMAND")
  exit
fi
(cd "$e2e" && node --test --test-concurrency=1 --test-reporter=spec tests/console.test.mjs tests/staff_actions.test.mjs \
  tests/towns.test.mjs)
echo "e2e: screenshots in $artifacts"
