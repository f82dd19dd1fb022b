#!/usr/bin/env bash
# One mamorid with many official accounts against the fake platform (issue 20, point 6): prints
# the share of accounts polled within their interval (per platform), peak RSS, CPU (cores and
# CPU-seconds per account-hour), PostgreSQL rows and bytes per account-day, time to ready and to
# the first poll of every account, and the event loop's worst stall (GET /healthz latency
# sampled every 200 ms). A benchmark program, not a test: it asserts nothing.
#
# "200 municipalities × 3 platforms × ~3 accounts": TOWNS municipalities ([[municipalities]],
# each searched for its own name and judging look-alikes against its own accounts) share
# ACCOUNTS official accounts spread over X, Bluesky and Mastodon (each posting once, with
# citizens' replies, during the run).
#
#   ACCOUNTS=2000        official accounts (a third per platform)
#   TOWNS=ACCOUNTS/10    municipalities, ~ACCOUNTS/TOWNS consecutive accounts each (every
#                        platform in each); 1 writes the single [municipality] form
#   DURATION=600         seconds mamorid runs after the fake platform starts
#   LIMITS=raised|real   the platforms' rate limits ×1000, or the fake's real defaults
#                        (X 900/15 min per endpoint but user look-ups 300/15 min as documented
#                        for an app's bearer token, Bluesky 3000/5 min, Mastodon 300/5 min)
#   REPLIES=3            citizens' replies per official post (average)
#   INSTANCES=1          mamorid processes on the one database, sharing the accounts by lease
#                        (daemon/polling/leases.h); with more than one, the second is killed
#   KILL_AT=DURATION/2   with SIGKILL this many seconds after start, and the take-over time, the
#                        posts lost and the accounts polled twice are printed (every post of the
#                        scenario has appeared by DURATION/2 + 125 s: "lost" counts only with
#                        DURATION >= 560, when the last ones have been polled too)
#   LEASE=60             [cluster] lease_period in seconds
#   MAMORI_BUILD_DIR=DIR where mamorid, mamorictl and fakeplatform are (default: build)
#   KEEP=1               keep the work directory (configuration, logs, samples)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=$(cd "${MAMORI_BUILD_DIR:-build}" && pwd)
accounts=${ACCOUNTS:-2000}
duration=${DURATION:-600}
limits=${LIMITS:-raised}
replies=${REPLIES:-3}
towns=${TOWNS:-$((accounts / 10))}
((towns >= 1)) || towns=1
((towns <= accounts)) || towns=$accounts
instances=${INSTANCES:-1}
kill_at=${KILL_AT:-$((duration / 2))}
lease=${LEASE:-60}
for tool in "$build/bin/mamorid" "$build/bin/mamorictl" "$build/bin/fakeplatform" curl psql; do
  command -v "$tool" >/dev/null || { echo "scale: $tool is missing" >&2; exit 1; }
done

work=$(mktemp -d /tmp/mamori-scale.XXXXXX)
pgdir=$(mktemp -d /tmp/mamori-scale-pg.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  tests/support/pgcluster.sh destroy "$pgdir" >/dev/null 2>&1 || true
  if [[ "${KEEP:-0}" == 1 ]]; then echo "scale: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

case "$limits" in
  raised) x_limit=900000; bsky_limit=3000000; masto_limit=300000; x_lookup_limit=300000 ;;
  real) x_limit=900; bsky_limit=3000; masto_limit=300; x_lookup_limit=300 ;;
  *) echo "scale: LIMITS must be raised or real" >&2; exit 2 ;;
esac

# ---- the scenario: officials a third per platform, three citizens per platform, one post per
# official at a random time in the first half of the run, REPLIES replies on average to each.
platforms=(x bluesky mastodon)
handle_of() {  # platform index
  case "$1" in
    x) echo "town$2_koho" ;;
    bluesky) echo "town$2-koho.bsky.social" ;;
    mastodon) echo "town$2_koho" ;;
  esac
}
{
  cat <<TOML
[x]
bearer_token = "x-test-bearer"
rate_limit = { limit = $x_limit, window = 900 }
[bluesky]
identifier = "soma-city.bsky.social"
password = "test-app-password"
rate_limit = { limit = $bsky_limit, window = 300 }
[mastodon]
access_token = "mastodon-test-token"
account = "soma_city"
domain = "mastodon.example"
rate_limit = { limit = $masto_limit, window = 300 }
[[limit]]
platform = "x"
endpoint = "users/by"
limit = $x_lookup_limit
window = 900
[[account]]
platform = "bluesky"
handle = "soma-city.bsky.social"
display_name = "相馬市"
[[account]]
platform = "mastodon"
handle = "soma_city"
display_name = "相馬市"
TOML
  for p in "${platforms[@]}"; do
    for c in 1 2 3; do
      h=citizen$c; [[ $p == bluesky ]] && h=citizen$c.bsky.social
      printf '[[account]]\nplatform = "%s"\nhandle = "%s"\ndisplay_name = "市民%s"\n' "$p" "$h" "$c"
    done
  done
  RANDOM=20
  for ((i = 0; i < accounts; i++)); do
    p=${platforms[$((i % 3))]}
    h=$(handle_of "$p" "$i")
    printf '[[account]]\nplatform = "%s"\nhandle = "%s"\ndisplay_name = "町%s 広報"\n' "$p" "$h" "$i"
    printf 'description = "町%s の公式アカウントです。"\navatar_pattern = "town%s-official"\n' "$i" "$i"
    at=$((RANDOM % (duration / 2 + 1)))
    printf '[[post]]\nplatform = "%s"\nkey = "p%s"\nauthor = "%s"\n' "$p" "$i" "$h"
    printf 'text = "【お知らせ】町%s の広報誌を発行しました。"\nat = %s\n' "$i" "$at"
    n=$((RANDOM % (2 * replies + 1)))
    for ((r = 0; r < n; r++)); do
      c=$((RANDOM % 3 + 1)); a=citizen$c; [[ $p == bluesky ]] && a=citizen$c.bsky.social
      printf '[[post]]\nplatform = "%s"\nauthor = "%s"\nin_reply_to = "p%s"\n' "$p" "$a" "$i"
      printf 'text = "ありがとうございます（%s）"\nat = %s\n' "$r" "$((at + 5 + RANDOM % 120))"
    done
  done
} >"$work/scenario.toml"

dsn=$(tests/support/pgcluster.sh start "$pgdir")
"$build/bin/fakeplatform" --scenario "$work/scenario.toml" --listen 127.0.0.1:0 \
  --port-file "$work/fake.port" >"$work/fake.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 300); do [[ -s "$work/fake.port" ]] && break; sleep 0.1; done
[[ -s "$work/fake.port" ]] || { echo "scale: the fake platform did not start" >&2; cat "$work/fake.log" >&2; exit 1; }
fake="http://127.0.0.1:$(cat "$work/fake.port")"
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
    || echo $((20000 + RANDOM % 20000))
}
ports=()
for ((k = 1; k <= instances; k++)); do ports+=("$(free_port)"); done
port=${ports[0]}

export MAMORI_SCALE_X_TOKEN=x-test-bearer MAMORI_SCALE_BSKY_PASSWORD=test-app-password
export MAMORI_SCALE_MASTODON_TOKEN=mastodon-test-token
config_for() {  # instance number (1...)
  cat <<TOML
[log]
level = "warn"
[server]
listen = "127.0.0.1:${ports[$(($1 - 1))]}"
drain_timeout = "2s"
[database]
dsn = "$dsn"
[cluster]
instance = "i$1"
lease_period = "${lease}s"
[http_client]
allowed_hosts = ["127.0.0.1"]
user_agent = "mamori-scale-i$1"
[platforms.x]
enabled = true
api_base = "$fake"
bearer_token = "env:MAMORI_SCALE_X_TOKEN"
[platforms.bluesky]
enabled = true
api_base = "$fake"
pds_base = "$fake"
identifier = "soma-city.bsky.social"
app_password = "env:MAMORI_SCALE_BSKY_PASSWORD"
[platforms.mastodon]
enabled = true
instance = "$fake"
access_token = "env:MAMORI_SCALE_MASTODON_TOKEN"
TOML
  if ((towns == 1)); then
    printf '[municipality]\nname = "相馬市"\nhomepage = "https://www.city.soma.fukushima.jp/"\n'
    for ((i = 0; i < accounts; i++)); do
      p=${platforms[$((i % 3))]}
      printf '[[accounts]]\nplatform = "%s"\nhandle = "%s"\ndisplay_name = "町%s 広報"\n' "$p" "$(handle_of "$p" "$i")" "$i"
    done
    return
  fi
  # Town t holds the accounts i with i * towns / accounts == t: consecutive, every platform.
  local t=-1 i town
  for ((i = 0; i < accounts; i++)); do
    town=$((i * towns / accounts))
    if ((town != t)); then
      t=$town
      printf '[[municipalities]]\nid = "town%s"\nname = "%s"\n' "$t" "$(town_name "$t")"
      printf 'homepage = "https://www.town%s.example.lg.jp/"\n' "$t"
    fi
    p=${platforms[$((i % 3))]}
    printf '[[municipalities.accounts]]\nplatform = "%s"\nhandle = "%s"\ndisplay_name = "町%s 広報"\n' "$p" "$(handle_of "$p" "$i")" "$i"
  done
}
# Distinct, name-like town names (kanji pairs + 町), so that each town's name search and
# look-alike judging are its own.
town_name() {
  local a=(青 赤 白 黒 東 西 南 北 上 下 大 小 中 高 山 川 森 林 田 野)
  local b=(木 石 原 沢 浜 島 岡 丘 谷 瀬)
  echo "${a[$(($1 % 20))]}${b[$(($1 / 20 % 10))]}${a[$(($1 / 200 % 20))]}町"
}
for ((k = 1; k <= instances; k++)); do config_for "$k" >"$work/mamori-$k.toml"; done
cp "$work/mamori-1.toml" "$work/mamori.toml"

"$build/bin/mamorictl" migrate --config "$work/mamori.toml" >"$work/migrate.log" 2>&1 \
  || { cat "$work/migrate.log" >&2; exit 1; }
db_rows() {
  psql "$dsn" -tA -c "SELECT coalesce(sum(n_live_tup),0) FROM pg_stat_user_tables" 2>/dev/null
}
db_bytes() { psql "$dsn" -tA -c "SELECT pg_database_size(current_database())"; }
psql "$dsn" -tA -c "ANALYZE" >/dev/null
rows0=$(db_rows); bytes0=$(db_bytes)

console="http://127.0.0.1:$port"
t0=$(date +%s.%N)
mpids=()
for ((k = 1; k <= instances; k++)); do
  "$build/bin/mamorid" --config "$work/mamori-$k.toml" >"$work/mamorid-$k.log" 2>&1 &
  mpids+=($!)
  pids+=($!)
done
mpid=${mpids[0]}
for _ in $(seq 1 600); do
  curl -fsS -o /dev/null "$console/readyz" 2>/dev/null && break
  sleep 0.05
done
t_ready=$(date +%s.%N)
ticks=$(getconf CLK_TCK)
alive_pids() { for p in "${mpids[@]}"; do [[ -e /proc/$p/stat ]] && echo "$p"; done; }
cpu_ticks() {  # the instances alive now, together
  local t=0
  for p in $(alive_pids); do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done
  echo "$t"
}
all_metrics() {
  for ((k = 0; k < instances; k++)); do
    [[ -e /proc/${mpids[$k]}/stat ]] && curl -fsS "http://127.0.0.1:${ports[$k]}/metrics" 2>/dev/null
  done
  true
}

# /healthz latency every 200 ms for the whole run (the event loop answers it).
(
  while kill -0 "$mpid" 2>/dev/null; do
    curl -s -o /dev/null -m 10 -w '%{time_total}\n' "$console/healthz" || echo 10
    sleep 0.2
  done
) >"$work/healthz.txt" 2>/dev/null &
pids+=($!)

# The share of accounts whose posts job succeeded within the last interval (120 s by default,
# plus 30 s grace), per platform, from the poller's own gauge.
polled_within() {  # seconds; an account counts once, by the instance that polled it last
  all_metrics | awk -v now="$(date +%s)" -v win="$1" '
    /^mamori_poll_last_success_timestamp_seconds\{/ && /poll_job="posts"/ && !/account="\*"/ {
      match($0, /platform="[a-z]+"/); p = substr($0, RSTART + 10, RLENGTH - 11)
      match($0, /account="[^"]+"/); a = p ":" substr($0, RSTART + 9, RLENGTH - 10)
      if (!(a in last) || $NF > last[a]) last[a] = $NF
      plat[a] = p
    }
    END {
      for (a in last) { seen[plat[a]]++; if (now - last[a] <= win) ok[plat[a]]++ }
      for (p in seen) printf "%s=%d ", p, ok[p]
    }'
}
# The accounts whose posts more than one instance asked for since fake request $1 (the last 150 s) (the fake's log,
# each instance with its own User-Agent).
polled_twice() {
  curl -fsS "$fake/_control/log?since=$1" | python3 -c '
import json, re, sys
by = {}
for e in json.load(sys.stdin)["requests"]:
    m = re.search(r"^/2/users/([^/?]+)/tweets|^/api/v1/accounts/([^/?]+)/statuses|getAuthorFeed\?(?:.*&)?actor=([^&]+)", e["target"])
    if m: by.setdefault(e["platform"] + ":" + next(g for g in m.groups() if g), set()).add(e["user_agent"])
print(sum(1 for v in by.values() if len(v) > 1), len(by))' 2>/dev/null || echo "n/a n/a"
}
first_all=""
steady_from=$((duration / 3))
cpu_steady0=""
while true; do
  now=$(date +%s.%N)
  el=$(awk -v a="$now" -v b="$t0" 'BEGIN{printf "%d", a-b}')
  (( el >= duration )) && break
  if [[ -z "$first_all" ]]; then
    n=$(all_metrics | grep '^mamori_poll_last_success_timestamp_seconds{.*poll_job="posts"' | grep -o 'account="[^"]*",platform="[a-z]*"' | sort -u | wc -l || true)
    (( n >= accounts )) && first_all=$el
  fi
  if (( instances > 1 )) && [[ -z "${killed_at:-}" ]] && (( el >= kill_at )); then
    victim=${mpids[1]}
    killed_rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$victim/status")
    victim_held=$(psql "$dsn" -tA -c "SELECT count(*) FROM poll_leases WHERE holder = 'i2'")
    kill -9 "$victim"
    wait "$victim" 2>/dev/null || true
    killed_at=$(psql "$dsn" -tA -c "SELECT now()")
    killed_el=$el
    # The steady CPU counts the survivors only from here.
    cpu_steady0=$(cpu_ticks); steady_t0=$(date +%s.%N)
  fi
  if [[ -n "${killed_at:-}" && -z "${takeover_s:-}" ]] &&
    [[ $(psql "$dsn" -tA -c "SELECT count(*) FROM poll_leases WHERE holder = 'i2'") == 0 ]]; then
    takeover_s=$(psql "$dsn" -tA -c "SELECT round(extract(epoch FROM max(acquired_at) - '$killed_at'::timestamptz)::numeric, 1) FROM poll_leases")
  fi
  if (( instances > 1 )) && [[ -z "${twice_from:-}" ]] && (( el >= duration - 150 )); then
    twice_from=$(curl -fsS "$fake/_control/stats" | sed 's/.*"requests":\([0-9]*\).*/\1/')
  fi
  if [[ -z "$cpu_steady0" ]] && (( el >= steady_from )); then
    cpu_steady0=$(cpu_ticks); steady_t0=$now
    psql "$dsn" -tA -c "ANALYZE" >/dev/null; rows_s=$(db_rows); bytes_s=$(db_bytes)
  fi
  sleep 5
done
cpu_end=$(cpu_ticks); t_end=$(date +%s.%N)
within=$(polled_within 150)
# Look-alike rounds sized to the quota (daemon/polling/lookup_budget.h), per platform.
lookalike=$(all_metrics | grep -E '^mamori_lookalike_(budget|full_pass_seconds|handles_pending|lookups_total)\{' |
  sed -E 's/^mamori_lookalike_([a-z_]+)\{platform="([a-z]+)"\} (.*)$/\2 \1=\3/' | sort |
  awk '{ if ($1 != p) { printf "%s%s:", (p == "" ? "" : "; "), $1; p = $1 } printf " %s", $2 } END { print "" }' || true)
hwm_kb=0
for p in $(alive_pids); do
  kb=$(awk '/VmHWM/ {print $2}' "/proc/$p/status"); (( kb > hwm_kb )) && hwm_kb=$kb
done
if (( instances > 1 )); then
  twice=$(polled_twice "${twice_from:-0}")
  expected_posts=$(grep -c '^\[\[post\]\]' "$work/scenario.toml")
  stored_posts=$(psql "$dsn" -tA -c "SELECT count(*) FROM observed_posts")
  distinct_posts=$(psql "$dsn" -tA -c "SELECT count(DISTINCT (platform, post_id)) FROM observed_posts")
  dup_incidents=$(psql "$dsn" -tA -c "SELECT count(*) FROM (SELECT dedup_key FROM incidents WHERE status NOT IN ('resolved', 'closed') GROUP BY dedup_key HAVING count(*) > 1) d")
  held=$(psql "$dsn" -tA -c "SELECT string_agg(holder || '=' || n, ' ' ORDER BY holder) FROM (SELECT holder, count(*) n FROM poll_leases WHERE holder IS NOT NULL GROUP BY holder) h")
fi
psql "$dsn" -tA -c "ANALYZE" >/dev/null
rows1=$(db_rows); bytes1=$(db_bytes)
per_table=$(psql "$dsn" -tA -F' ' -c "SELECT relname, n_live_tup FROM pg_stat_user_tables WHERE n_live_tup > 0 ORDER BY n_live_tup DESC LIMIT 6")
gone_rows=$(psql "$dsn" -tA -c "SELECT count(*) FROM observed_gone")

awk -v t0="$t0" -v tr="$t_ready" -v te="$t_end" -v ts="$steady_t0" -v c0="$cpu_steady0" -v c1="$cpu_end" \
  -v hz="$ticks" -v n="$accounts" -v kb="$hwm_kb" -v r0="$rows0" -v r1="$rows1" -v b0="$bytes0" \
  -v b1="$bytes1" -v rs="$rows_s" -v bs="$bytes_s" -v first="${first_all:-never}" -v within="$within" -v limits="$limits" \
  -v instances="$instances" -v towns="$towns" -v lease="$lease" -v hz_file="$work/healthz.txt" 'BEGIN {
  cores = (c1 - c0) / hz / (te - ts)
  days = (te - t0) / 86400
  while ((getline l < hz_file) > 0) { s++; ms = l * 1000; if (ms > mx) mx = ms; if (ms > 100) over++; if (ms > 50) over50++ }
  printf "accounts              %d in %d municipalities (limits %s)\n", n, towns, limits
  if (instances > 1) printf "instances             %d on one database (leases of %d s); the survivors'"'"' figures below\n", instances, lease
  printf "time to ready         %.1f s\n", tr - t0
  printf "every account polled  %s s after start\n", first
  printf "polled within 150 s   %s(posts job, at the end)\n", within
  printf "peak RSS              %.0f MB\n", kb / 1024
  printf "CPU (steady, last 2/3) %.3f cores = %.2f CPU-s per account-hour\n", cores, cores * 3600 / n
  sdays = (te - ts) / 86400
  printf "PostgreSQL (whole)    %+d rows, %+.1f MB in %.0f s (start-up: profiles, look-alike lookups, baselines)\n", r1 - r0, (b1 - b0) / 1048576, (te - t0)
  printf "PostgreSQL (steady)   %+d rows, %+.1f MB in %.0f s = %.0f rows, %.0f kB per account-day at this run'"'"'s traffic\n", r1 - rs, (b1 - bs) / 1048576, (te - ts), (r1 - rs) / n / sdays, (b1 - bs) / 1024 / n / sdays
  printf "/healthz samples      %d, max %.0f ms, %d over 100 ms, %d over 50 ms\n", s, mx, over, over50
}'
echo "look-alike rounds     ${lookalike:-none}"
echo "observed_gone         $gone_rows rows (absent handles stored)"
# The store's refusals and the event loop's late ticks, from the instances' logs (the survivors'
# and the killed one's) up to now: the instances still run, so refusals while stopping (after
# this summary) are not counted.
rejected_full=$(cat "$work"/mamorid-*.log | grep 'event=db.job_rejected' | grep -c 'queue full' || true)
rejected_stopping=$(cat "$work"/mamorid-*.log | grep 'event=db.job_rejected' | grep -c 'store stopping' || true)
lag=$(cat "$work"/mamorid-*.log | { grep 'event=event_loop.lag' || true; } |
  sed -E 's/.*late_ms=([0-9.]+).*/\1/' | awk '$1 > 100 { n++; if ($1 > m) m = $1 } END { printf "%d over 100 ms, worst %.0f ms", n, m }')
echo "db.job_rejected       $rejected_full for a full queue, $rejected_stopping for a stopping store (during the run)"
echo "loop lateness probe   $lag"
slow=$(cat "$work"/mamorid-*.log | { grep 'event=event_loop.slow_handler' || true; } |
  sed -E 's/.*handler=([^ ]+).*cpu_ms=([0-9.]+).*/\1 \2/' |
  awk '{ n++; c[$1]++; if ($2 > m) m = $2 } END { printf "%d (worst %.0f ms CPU)", n, m; for (h in c) printf " %s=%d", h, c[h] }')
echo "slow handlers         $slow"
echo "largest tables:"; echo "$per_table" | sed 's/^/  /'
if (( instances > 1 )); then
  echo "instance i2 killed     at ${killed_el:-never} s, holding ${victim_held:-?} leases (peak RSS $(( ${killed_rss_kb:-0} / 1024 )) MB)"
  echo "taken over             ${takeover_s:-not within the run} s after the kill (lease period $lease s)"
  echo "leases at the end      ${held:-}"
  (( duration < 560 )) && echo "(DURATION < 560: not every post of the scenario has appeared yet)"
  echo "posts                  $stored_posts stored of $expected_posts in the scenario (lost $((expected_posts - stored_posts))), $((stored_posts - distinct_posts)) stored twice"
  echo "live incidents doubled $dup_incidents"
  echo "polled by two          ${twice% *} of ${twice#* } accounts polled in the last 150 s"
fi
