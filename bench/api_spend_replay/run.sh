#!/usr/bin/env bash
# What a month of polling costs, replayed through a real mamorid and the fake platform (issue 21,
# point 6): one city with the example configuration's three accounts (X, Bluesky, Mastodon) and
# its polling intervals, and the spend per platform and endpoint as priced by the fake platform's
# own log (/_control/log: every answer priced with the same table the meter uses). A benchmark
# program, not a test: it asserts nothing.
#
# mamorid's timers run in real time (one injected clock dates things, but the schedule is Asio
# steady timers), so a month cannot be replayed faster than it lasts. Instead each kind of day
# is replayed COMPRESSED: every interval of the example configuration and every post's time is
# divided by SPEEDUP (intervals floored at 1 s, the configuration's minimum), one simulated day
# runs 86400/SPEEDUP seconds, and the day's spend is scaled:
#   calm month    = 30 calm days
#   flame-up month= 29 calm days + 1 flood day (10,000 replies and 2,000 quotes on X)
#   typhoon week  = 7 typhoon days (200 replies and 20 quotes a day on X)
# The look-alike search round at start is the example's weekly X round (search = "7d"): it is
# scaled by the rounds in the period (30/7 a month, 1 a week), every other endpoint by the days.
# What compression distorts: the X replies and posts jobs run every 1 s instead of every
# 60/SPEEDUP s (harmless for spend: X charges what is returned and since_id returns only new
# posts); the budget is not replayed (the meter projects over the real calendar month, so a
# compressed day would look like a month's spend in minutes: the runs have no budget).
# The same assumptions as bench/api_spend_estimate.cpp: replies 5 a day when calm, own posts 3 a
# day, quotes 1 a day, per account.
#
#   SPEEDUP=60           simulated seconds per real second (a day in 24 minutes). 60 keeps the
#                        X counts' schedule: tweets/counts/recent counts whole minutes of real
#                        time, so one request a real minute is one a simulated hour as in the
#                        example, and a flood's texts are sampled after each count as they would
#                        be; above 60 the counts and the samples that follow them come too
#                        seldom (their requests are then taken at the example's rate, below).
#   DAYS="calm flood typhoon"  which days to replay
#   MAMORI_BUILD_DIR=DIR where mamorid, mamorictl and fakeplatform are (default: build)
#   KEEP=1               keep the work directory (configuration, logs, the fake's log)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=$(cd "${MAMORI_BUILD_DIR:-build}" && pwd)
speedup=${SPEEDUP:-60}
days=${DAYS:-calm flood typhoon}
for tool in "$build/bin/mamorid" "$build/bin/mamorictl" "$build/bin/fakeplatform" curl python3; do
  command -v "$tool" >/dev/null || { echo "api_spend_replay: $tool is missing" >&2; exit 1; }
done

work=$(mktemp -d /tmp/mamori-spend.XXXXXX)
pids=()
pgdir=""
cleanup() {
  # The days run side by side in subshells: each writes its processes' ids to $work/pids.
  [[ -f "$work/pids" ]] && while read -r pid; do pids+=("$pid"); done <"$work/pids"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ -n "$pgdir" ]]; then tests/support/pgcluster.sh destroy "$pgdir" >/dev/null 2>&1 || true; fi
  if [[ "${KEEP:-0}" == 1 ]]; then echo "api_spend_replay: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# An interval of the example configuration, compressed (seconds, at least 1).
iv() { python3 -c "import sys; print(max(1, round($1 / $speedup)))"; }
day_seconds=$(python3 -c "print(max(1, round(86400 / $speedup)))")

# The day's scenario: the city's three accounts, 200 citizens per platform, own posts, replies
# and quotes (X), spread over the compressed day. $1: calm | flood | typhoon.
scenario() {
  local kind=$1 replies quotes
  case "$kind" in
    calm) replies=5; quotes=1 ;;
    flood) replies=10000; quotes=2000 ;;
    typhoon) replies=200; quotes=20 ;;
  esac
  python3 - "$kind" "$replies" "$quotes" "$day_seconds" <<'PY'
import random, sys
kind, replies, quotes, day = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
random.seed(21)
out = ['''[x]
bearer_token = "x-test-bearer"
rate_limit = { limit = 900000, window = 900 }
[bluesky]
identifier = "soma-city.bsky.social"
password = "test-app-password"
rate_limit = { limit = 3000000, window = 300 }
[mastodon]
access_token = "mastodon-test-token"
account = "soma_city"
domain = "mastodon.example"
rate_limit = { limit = 300000, window = 300 }''']
officials = {"x": "soma_city", "bluesky": "soma-city.bsky.social", "mastodon": "soma_city"}
for p, h in officials.items():
    out.append(f'[[account]]\nplatform = "{p}"\nhandle = "{h}"\ndisplay_name = "相馬市"\n'
               'url = "https://www.city.soma.fukushima.jp/"')
def citizen(p, i):
    return f"citizen{i}.bsky.social" if p == "bluesky" else f"citizen{i}"
for p in officials:
    for i in range(200):
        out.append(f'[[account]]\nplatform = "{p}"\nhandle = "{citizen(p, i)}"\ndisplay_name = "市民{i}"')
for p, h in officials.items():
    keys = []
    for n in range(3):  # own posts: 3 a day
        at = round(day * (n + 0.1) / 3, 2)
        key = f"{p}-own{n}"
        keys.append((key, at))
        out.append(f'[[post]]\nplatform = "{p}"\nkey = "{key}"\nauthor = "{h}"\n'
                   f'text = "【お知らせ】本日の市政情報その{n}です。"\nat = {at}')
    # The flood and the typhoon's replies are X's (the platform that charges); Bluesky and
    # Mastodon keep the calm rate (their reads are free).
    n_replies = replies if p == "x" else 5
    n_quotes = quotes if p == "x" else 0
    flood = kind == "flood" and p == "x"
    for r in range(n_replies):
        key, t0 = keys[0] if flood else random.choice(keys)
        # A flood starts after the first post and lasts the day; calm replies follow their post.
        at = round(t0 + (day - t0) * (r / n_replies if flood else random.random() * 0.2), 2)
        out.append(f'[[post]]\nplatform = "{p}"\nauthor = "{citizen(p, random.randrange(200))}"\n'
                   f'in_reply_to = "{key}"\ntext = "@{h} 返信です（{r}）"\nat = {at}')
    for q in range(n_quotes):
        key, t0 = keys[0] if flood else random.choice(keys)
        at = round(t0 + (day - t0) * (q / n_quotes if flood else random.random() * 0.2), 2)
        out.append(f'[[post]]\nplatform = "{p}"\nauthor = "{citizen(p, random.randrange(200))}"\n'
                   f'quotes = "{key}"\ntext = "引用です（{q}）"\nat = {at}')
print("\n".join(out))
PY
}

pgdir=$(mktemp -d /tmp/mamori-spend-pg.XXXXXX)
dsn=$(tests/support/pgcluster.sh start "$pgdir")
export MAMORI_SPEND_X_TOKEN=x-test-bearer MAMORI_SPEND_BSKY_PASSWORD=test-app-password
export MAMORI_SPEND_MASTODON_TOKEN=mastodon-test-token

replay() {  # $1: day kind; writes $work/$1.log.json
  local kind=$1 dir="$work/$1"
  mkdir -p "$dir"
  scenario "$kind" >"$dir/scenario.toml"
  PGOPTIONS="-c client_min_messages=warning" psql "$dsn" -qtA \
    -c "DROP DATABASE IF EXISTS spend_$kind" -c "CREATE DATABASE spend_$kind" >/dev/null
  local db_dsn="${dsn/dbname=postgres/dbname=spend_$kind}"
  "$build/bin/fakeplatform" --scenario "$dir/scenario.toml" --listen 127.0.0.1:0 \
    --port-file "$dir/fake.port" >"$dir/fake.log" 2>&1 &
  local fpid=$!
  echo "$fpid" >>"$work/pids"
  for _ in $(seq 1 300); do [[ -s "$dir/fake.port" ]] && break; sleep 0.1; done
  local fake
  fake="http://127.0.0.1:$(cat "$dir/fake.port")"
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  # The example configuration's [polling] and [polling.x], compressed; no budget (see above).
  cat >"$dir/mamori.toml" <<TOML
[log]
level = "warn"
[municipality]
name = "相馬市"
homepage = "https://www.city.soma.fukushima.jp/"
[server]
listen = "127.0.0.1:$port"
drain_timeout = "2s"
[database]
dsn = "$db_dsn"
[http_client]
allowed_hosts = ["127.0.0.1"]
[platforms.x]
enabled = true
api_base = "$fake"
bearer_token = "env:MAMORI_SPEND_X_TOKEN"
[platforms.bluesky]
enabled = true
api_base = "$fake"
pds_base = "$fake"
identifier = "soma-city.bsky.social"
app_password = "env:MAMORI_SPEND_BSKY_PASSWORD"
[platforms.mastodon]
enabled = true
instance = "$fake"
access_token = "env:MAMORI_SPEND_MASTODON_TOKEN"
token_account = "soma_city"
[polling]
profiles = "$(iv 300)s"
posts = "$(iv 120)s"
replies = "$(iv 60)s"
search = "$(iv 600)s"
quotes = "$(iv 21600)s"
[polling.x]
profiles = "$(iv 21600)s"
search = "$(iv 604800)s"
reply_counts = "$(iv 3600)s"
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
TOML
  "$build/bin/mamorictl" migrate --config "$dir/mamori.toml" >"$dir/migrate.log" 2>&1 \
    || { cat "$dir/migrate.log" >&2; exit 1; }
  # The fake's clock started with it: restart the scenario's time now that mamorid starts.
  curl -fsS -X POST -H 'Content-Type: application/json' -d '{}' "$fake/_control/reset" >/dev/null
  "$build/bin/mamorid" --config "$dir/mamori.toml" >"$dir/mamorid.log" 2>&1 &
  local mpid=$!
  echo "$mpid" >>"$work/pids"
  echo "api_spend_replay: $kind day: $day_seconds s (SPEEDUP $speedup)" >&2
  sleep "$((day_seconds + 20))"
  kill -TERM "$mpid"; wait "$mpid" 2>/dev/null || true
  curl -fsS "$fake/_control/log?since=0" >"$work/$kind.log.json"
  kill "$fpid"; wait "$fpid" 2>/dev/null || true
}

# The days side by side (each its own fake platform, database and mamorid).
for d in $days; do replay "$d" & done
wait

# shellcheck disable=SC2086  # one argument per day kind
python3 - "$work" "$speedup" $days <<'PY'
import json, sys, collections
work, speedup, kinds = sys.argv[1], sys.argv[2], sys.argv[3:]
day = {}
for k in kinds:
    spend = collections.defaultdict(lambda: [0.0, 0])
    for e in json.load(open(f"{work}/{k}.log.json"))["requests"]:
        s = spend[(e["platform"], e["endpoint"])]
        s[0] += e["usd"]; s[1] += 1
    day[k] = spend
# A search round runs once a week in the example; the replay saw the one at start.
weekly = {("x", "users/search"), ("x", "users/by")}
# tweets/counts/recent counts whole minutes of real time, so a compressed replay sends at most one
# request a real minute (SPEEDUP/60 simulated hours): its requests are the example's instead, one
# an hour per X account at the price the fake charged for one.
counts = ("x", "tweets/counts/recent")
def period(parts):
    total = collections.defaultdict(lambda: [0.0, 0])
    for k, days, rounds in parts:
        for key, (usd, n) in day.get(k, {}).items():
            if key == counts and n > 0:
                usd, n = usd / n * 24, 24
            f = rounds if key in weekly else days
            total[key][0] += usd * f; total[key][1] += n * f
    return total
periods = []
if "calm" in day: periods.append(("calm month", period([("calm", 30, 30 / 7)])))
if "calm" in day and "flood" in day:
    periods.append(("flame-up month", period([("calm", 29, 30 / 7 - 1), ("flood", 1, 1)])))
if "typhoon" in day: periods.append(("typhoon week", period([("typhoon", 7, 1)])))
print(f"# API spend replayed through mamorid and the fake platform (SPEEDUP {speedup}; USD as the "
      "fake prices each answer; one city, X + Bluesky + Mastodon, example intervals, no budget)")
keys = sorted({k for _, t in periods for k in t})
print("| platform | endpoint | " + " | ".join(f"{n} USD (requests)" for n, _ in periods) + " |")
print("|---|---|" + "---|" * len(periods))
for key in keys:
    cells = []
    for _, t in periods:
        usd, n = t.get(key, (0.0, 0))
        cells.append(f"{usd:.2f} ({n:.0f})")
    print(f"| {key[0]} | {key[1]} | " + " | ".join(cells) + " |")
for p in sorted({k[0] for k in keys}):
    print(f"| {p} | **total** | " + " | ".join(
        f"**{sum(v[0] for k, v in t.items() if k[0] == p):.2f}**" for _, t in periods) + " |")
PY
