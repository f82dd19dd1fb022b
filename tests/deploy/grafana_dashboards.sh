#!/usr/bin/env bash
# The Grafana dashboards against the real thing:
#  1. static checks of grafana/: valid JSON, unique dashboard uids, unique panel ids, every data
#     source a panel, target, annotation or variable names is provisioned (same uid and type);
#  2. the real Prometheus (Debian package) scrapes a real mamorid that polls the fake platform
#     (scenario small.toml) with its PostgreSQL database; every Prometheus query of every panel
#     is evaluated through /api/v1/query and must return data, except the panels listed in
#     NEEDS_INCIDENT_DATA, which must still evaluate without error;
#  3. every PostgreSQL panel's SQL runs as the read-only Grafana role (grafana_reader.sql) on
#     the migrated schema with a few incidents in it, and returns rows.
# usage: grafana_dashboards.sh SOURCE_DIR BIN_DIR     (needs MAMORI_TEST_DSN, set by tests/run.sh)
set -euo pipefail

src=${1:?usage: grafana_dashboards.sh SOURCE_DIR BIN_DIR}
bin=${2:?usage: grafana_dashboards.sh SOURCE_DIR BIN_DIR}
src=$(cd "$src" && pwd)
bin=$(cd "$bin" && pwd)
dashboards=("$src"/grafana/dashboards/*.json)
datasources=$src/grafana/provisioning/datasources/mamori.yml

# Panels whose metrics exist only once an incident (or a flame-up episode) happened, or that
# mamorid does not export yet. Each must still be a valid query; a note says when one starts
# returning data so it can move out of this list. Format: DASHBOARD_UID#PANEL_ID (or
# DASHBOARD_UID#annotation:NAME), then the reason.
NEEDS_INCIDENT_DATA=(
  "mamori-operations#2102"  # mamori_api_spend_*: only once a priced platform (X) answered
  "mamori-operations#2103"  # mamori_api_spend_usd_total: the same
  "mamori-operations#2202"  # mamori_webhook_requests_total: only with Meta's webhook configured
  "mamori-operations#2203"  # mamori_instagram_mentions_pending: the same
  "mamori-overview#6"    # mamori_flameup_episode_open
  "mamori-overview#8"    # mamori_incidents_open by type and severity, only those above 0
  "mamori-overview#9"    # mamori_reply_rate, mamori_reply_rate_baseline
  "mamori-overview#10"   # mamori_flameup_episode_open
  "mamori-overview#16"   # mamori_incident_time_to_acknowledge_seconds
  "mamori-overview#17"   # mamori_incident_time_to_resolve_seconds
  "mamori-overview#18"   # both incident histograms, by type
  "mamori-overview#19"   # mamori_alerts_total (alerts are sent for incidents)
  "mamori-overview#21"   # mamori_impersonation_time_to_takedown_seconds (an impersonator removed)
  "mamori-overview#22"   # mamori_impersonation_request_to_takedown_seconds
  "mamori-overview#annotation:炎上の兆候"  # mamori_flameup_episode_open == 1
  "mamori-operations#23" # mamori_alerts_total
  "mamori-operations#24" # mamori_alert_delivery_seconds
)

failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}
die() {
  echo "FAIL: $*" >&2
  exit 1
}

for tool in jq curl psql prometheus ss; do
  command -v "$tool" >/dev/null || die "$tool is not installed (deploy/install-deps.sh installs it)"
done
[[ -n "${MAMORI_TEST_DSN:-}" ]] || die "MAMORI_TEST_DSN is not set (tests/run.sh sets it to the test cluster)"
for exe in mamorid fakeplatform; do
  [[ -x "$bin/$exe" ]] || die "$bin/$exe is missing: build it first"
done

# ---- 1. static checks ----
# Provisioned data sources: uid -> type, read from the YAML (uid and type keys of each item).
declare -A ds_type=()
current_uid="" current_type=""
while IFS= read -r line; do
  if [[ $line =~ ^[[:space:]]*-[[:space:]]name: ]]; then
    [[ -n $current_uid ]] && ds_type[$current_uid]=$current_type
    current_uid="" current_type=""
  elif [[ $line =~ ^[[:space:]]+uid:[[:space:]]*([^[:space:]#]+) ]]; then
    current_uid=${BASH_REMATCH[1]}
  elif [[ $line =~ ^[[:space:]]+type:[[:space:]]*([^[:space:]#]+) ]]; then
    current_type=${BASH_REMATCH[1]}
  fi
done <"$datasources"
[[ -n $current_uid ]] && ds_type[$current_uid]=$current_type
((${#ds_type[@]} == 2)) || fail "expected 2 provisioned data sources in $datasources, found ${#ds_type[@]}"

declare -A seen_uid=()
for file in "${dashboards[@]}"; do
  name=$(basename "$file")
  jq empty "$file" 2>/dev/null || { fail "$name: not valid JSON"; continue; }
  uid=$(jq -r '.uid // empty' "$file")
  title=$(jq -r '.title // empty' "$file")
  [[ -n $uid ]] || fail "$name: no uid"
  [[ -n ${seen_uid[$uid]:-} ]] && fail "$name: uid $uid also used by ${seen_uid[$uid]}"
  seen_uid[$uid]=$name
  # Titles are for Japanese staff: the dashboard's and every panel's must contain Japanese
  # (a non-ASCII character), except panels named after a program.
  LC_ALL=C.UTF-8 grep -qP '[^\x00-\x7f]' <<<"$title" || fail "$name: dashboard title '$title' is not Japanese"
  while IFS=$'\t' read -r id ptitle; do
    [[ $ptitle == mamorid ]] && continue
    LC_ALL=C.UTF-8 grep -qP '[^\x00-\x7f]' <<<"$ptitle" || fail "$name: panel $id title '$ptitle' is not Japanese"
  done < <(jq -r '.. | objects | select(has("gridPos")) | [(.id | tostring), .title] | @tsv' "$file")
  # Panel ids, rows' nested panels included, are unique and numeric.
  dup=$(jq -r '[.. | objects | select(has("gridPos")) | .id] | group_by(.) | map(select(length > 1) | .[0]) | .[]' "$file")
  [[ -z $dup ]] || fail "$name: duplicate panel ids: $dup"
  bad=$(jq -r '[.. | objects | select(has("gridPos")) | select((.id | type) != "number") | .title] | .[]' "$file")
  [[ -z $bad ]] || fail "$name: panels without a numeric id: $bad"
  # Every data source reference resolves to a provisioned uid of the same type.
  while IFS=$'\t' read -r ref_type ref_uid; do
    [[ $ref_uid == "-- Grafana --" ]] && continue
    if [[ -z ${ds_type[$ref_uid]:-} ]]; then
      fail "$name: data source uid '$ref_uid' is not provisioned in $(basename "$datasources")"
    elif [[ ${ds_type[$ref_uid]} != "$ref_type" ]]; then
      fail "$name: data source $ref_uid is used as type $ref_type but provisioned as ${ds_type[$ref_uid]}"
    fi
  done < <(jq -r '.. | objects | select(has("datasource")) | .datasource
                  | if type == "object" then [.type, .uid] else ["(none)", tostring] end | @tsv' "$file" | sort -u)
  # Every panel that is not a row has at least one query.
  empty=$(jq -r '.panels[] | select(.type != "row") | select((.targets // []) | length == 0) | .title' "$file")
  [[ -z $empty ]] || fail "$name: panels without queries: $empty"
done
grep -q 'path: /usr/share/mamori/grafana/dashboards' "$src/grafana/provisioning/dashboards/mamori.yml" ||
  fail "dashboard provider does not point at /usr/share/mamori/grafana/dashboards (where the package installs them)"
for entry in "${NEEDS_INCIDENT_DATA[@]}"; do
  duid=${entry%%#*} key=${entry#*#}
  file=$src/grafana/dashboards/$duid.json
  if [[ $key == annotation:* ]]; then
    jq -e --arg n "${key#annotation:}" '.annotations.list[] | select(.name == $n)' "$file" >/dev/null ||
      fail "NEEDS_INCIDENT_DATA names $entry, which does not exist"
  else
    jq -e --argjson id "$key" '.panels[] | select(.id == $id)' "$file" >/dev/null ||
      fail "NEEDS_INCIDENT_DATA names $entry, which does not exist"
  fi
done
# Every metric a panel queries is one mamorid exports (a typo shows as an empty panel forever).
# The flame-up gauges announced for the reply-rate detector are allowed before they exist.
ANNOUNCED=(mamori_reply_rate mamori_reply_rate_baseline mamori_flameup_episode_open)
exported=$(grep -rhoE 'Name\("mamori_[a-z0-9_]+"\)' "$src/daemon" "$src/collectors" "$src/detectors" |
  sed 's/Name("\(.*\)")/\1/' | sort -u)
for metric in $(jq -r '.. | objects | (.expr?, .definition?) // empty' "${dashboards[@]}" |
  grep -oE 'mamori_[a-z0-9_]+' | sort -u); do
  base=$(sed -E 's/_(bucket|sum|count)$//' <<<"$metric")
  grep -qxE "$metric|$base" <<<"$exported" && continue
  if [[ " ${ANNOUNCED[*]} " == *" $metric "* ]]; then
    echo "note: the dashboards use $metric, which mamorid does not export yet"
  else
    fail "the dashboards use $metric, which mamorid does not export"
  fi
done
((failures == 0)) || die "$failures static check(s) failed"
echo "static checks: ${#dashboards[@]} dashboards, data sources ${!ds_type[*]}"

# ---- 2. live: fake platform -> mamorid -> Prometheus ----
work=$(mktemp -d /tmp/mamori-grafana-test.XXXXXX)
db="mamori_grafana_$$"
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  psql "$MAMORI_TEST_DSN" -qAt -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  psql "$MAMORI_TEST_DSN" -qAt -c "DROP ROLE IF EXISTS grafana_mamori" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

show_logs() {
  local f
  for f in "$work"/*.log; do
    [[ -f $f ]] || continue
    echo "---- $(basename "$f") (last 30 lines)" >&2
    tail -n 30 "$f" >&2
  done
}

free_port() {
  local p
  for _ in $(seq 100); do
    p=$((20000 + RANDOM % 40000))
    if [[ -z $(ss -Htln "sport = :$p") ]]; then
      echo "$p"
      return 0
    fi
  done
  return 1
}

# Waits up to $1 seconds for the command to succeed.
wait_for() {
  local seconds=$1
  shift
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.5
  done
}

psql "$MAMORI_TEST_DSN" -qAt -v ON_ERROR_STOP=1 -c "CREATE DATABASE $db" >/dev/null
db_dsn="$MAMORI_TEST_DSN dbname=$db"  # libpq: the last dbname wins

"$bin/fakeplatform" --scenario "$src/tests/fakeplatform/scenarios/small.toml" --listen 127.0.0.1:0 \
  --port-file "$work/fake.port" >"$work/fakeplatform.log" 2>&1 &
pids+=($!)
wait_for 20 test -s "$work/fake.port" || { show_logs; die "fakeplatform did not start"; }
fake="http://127.0.0.1:$(tr -d '[:space:]' <"$work/fake.port")"

cat >"$work/mamori.toml" <<EOF
[log]
level = "info"
[municipality]
name = "相馬市"
[server]
listen = "127.0.0.1:0"
drain_timeout = "2s"
[database]
dsn = "$db_dsn"
[http_client]
allowed_hosts = ["127.0.0.1"]
[platforms.x]
enabled = true
api_base = "$fake"
bearer_token = "env:MAMORI_TEST_X_BEARER"
[platforms.bluesky]
enabled = true
api_base = "$fake"
pds_base = "$fake"
identifier = "soma-city.bsky.social"
app_password = "env:MAMORI_TEST_BLUESKY_PASSWORD"
[platforms.mastodon]
enabled = true
instance = "$fake"
access_token = "env:MAMORI_TEST_MASTODON_TOKEN"
[polling]
profiles = "5s"
posts = "2s"
replies = "2s"
search = "5s"
[[accounts]]
platform = "x"
handle = "soma_city"
[[accounts]]
platform = "bluesky"
handle = "soma-city.bsky.social"
[[accounts]]
platform = "mastodon"
handle = "soma_city"
EOF
MAMORI_TEST_X_BEARER=x-test-bearer MAMORI_TEST_BLUESKY_PASSWORD=test-app-password \
  MAMORI_TEST_MASTODON_TOKEN=mastodon-test-token \
  "$bin/mamorid" --config "$work/mamori.toml" >"$work/mamorid.log" 2>&1 &
mamorid_pid=$!
pids+=("$mamorid_pid")
wait_for 30 grep -q 'startup.ready' "$work/mamorid.log" || { show_logs; die "mamorid did not become ready"; }
mport=$(grep 'startup.ready' "$work/mamorid.log" | grep -o 'listen=[^ ]*' | head -n 1 | sed 's/.*://; s/"//g')
[[ $mport =~ ^[0-9]+$ ]] || { show_logs; die "cannot read mamorid's port from its log"; }
ready() { [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$mport/readyz") == 200 ]]; }
wait_for 30 ready || { show_logs; die "mamorid /readyz never answered 200"; }

# Prometheus with the shipped alerting rules, scraping every second so rates have samples soon.
cat >"$work/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $src/deploy/prometheus/rules/mamori.rules.yml
scrape_configs:
  - job_name: mamori
    static_configs:
      - targets: ["127.0.0.1:$mport"]
EOF
prom_up=""
for _ in 1 2 3; do
  pport=$(free_port) || die "no free port for Prometheus"
  prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
    --web.listen-address="127.0.0.1:$pport" --log.level=warn >"$work/prometheus.log" 2>&1 &
  prom_pid=$!
  if wait_for 30 curl -sf -o /dev/null "http://127.0.0.1:$pport/-/ready"; then
    pids+=("$prom_pid")
    prom_up=1
    break
  fi
  kill "$prom_pid" 2>/dev/null || true
  wait "$prom_pid" 2>/dev/null || true
done
[[ -n $prom_up ]] || { show_logs; die "Prometheus did not start"; }
prom_started=$SECONDS

# query EXPR -> the API's JSON answer (exit 1 when the request itself failed)
query() {
  curl -sS --max-time 10 -G "http://127.0.0.1:$pport/api/v1/query" --data-urlencode "query=$1"
}
count_of() {
  query "$1" | jq -r '.data.result | length'
}
rules_loaded() {
  [[ $(curl -sS "http://127.0.0.1:$pport/api/v1/rules" | jq '[.data.groups[].rules[]] | length') -gt 0 ]]
}
# Enough to evaluate every panel: the target is up, every account has polled its posts, the
# quota gauges exist, and rate() windows (1m) hold at least 20 one-second samples.
scraped_enough() {
  ((SECONDS - prom_started >= 20)) &&
    [[ $(count_of 'up{job="mamori"} == 1') == 1 ]] &&
    [[ $(count_of 'mamori_poll_last_success_timestamp_seconds{poll_job="posts", account!="*"}') -ge 3 ]] &&
    [[ $(count_of 'mamori_platform_quota_remaining') -ge 1 ]] &&
    [[ $(count_of 'mamori_observations_stored_total{kind="post"}') -ge 1 ]]
}
wait_for 90 scraped_enough || { show_logs; die "Prometheus did not collect mamorid's polling metrics within 90 s"; }
rules_loaded || fail "Prometheus loaded no alerting rules from mamori.rules.yml"

is_pending() {
  local e
  for e in "${NEEDS_INCIDENT_DATA[@]}"; do [[ $e == "$1" ]] && return 0; done
  return 1
}
# Grafana's variables, as Grafana would expand them for a one-hour view with every platform
# and municipality.
expand() {
  sed -e 's/\$__rate_interval/1m/g' -e 's/\$__range/1h/g' -e 's/\$__interval/15s/g' -e 's/\$platform/.*/g' \
    -e 's/\$municipality/.*/g' <<<"$1"
}

checked=0 pending=0
for file in "${dashboards[@]}"; do
  duid=$(jq -r .uid "$file")
  while IFS=$'\t' read -r key ptitle ref expr; do
    expr=$(expand "$expr")
    if [[ $expr == *'$'* ]]; then
      fail "$duid#$key ($ptitle) $ref: unexpanded Grafana variable in: $expr"
      continue
    fi
    answer=$(query "$expr") || { fail "$duid#$key ($ptitle) $ref: request failed"; continue; }
    status=$(jq -r .status <<<"$answer")
    if [[ $status != success ]]; then
      fail "$duid#$key ($ptitle) $ref: $(jq -r .error <<<"$answer") in: $expr"
      continue
    fi
    n=$(jq '.data.result | length' <<<"$answer")
    checked=$((checked + 1))
    if is_pending "$duid#$key"; then
      pending=$((pending + 1))
      ((n == 0)) || echo "note: $duid#$key ($ptitle) $ref now returns data: remove it from NEEDS_INCIDENT_DATA"
    elif ((n == 0)); then
      fail "$duid#$key ($ptitle) $ref returned no data: $expr"
    fi
  done < <(jq -r '
      (.panels[] | select(.type != "row") | . as $p | ($p.targets // [])[]
        | select(.datasource.type == "prometheus") | [($p.id | tostring), $p.title, .refId, .expr]),
      (.annotations.list[] | select(.datasource.type? == "prometheus")
        | ["annotation:" + .name, .name, "-", .expr])
      | @tsv' "$file")
  # Template variables: label_values(METRIC, LABEL) must list values.
  while IFS=$'\t' read -r vname metric label; do
    values=$(curl -sS -G "http://127.0.0.1:$pport/api/v1/label/$label/values" --data-urlencode "match[]=$metric" |
      jq '.data | length')
    checked=$((checked + 1))
    ((values > 0)) || fail "$duid variable \$$vname: label_values($metric, $label) is empty"
  done < <(jq -r '.templating.list[] | select(.type == "query") | . as $v | .definition
      | capture("label_values\\((?<m>[^,]+),\\s*(?<l>[a-z_]+)\\)") as $c | [$v.name, $c.m, $c.l] | @tsv' "$file")
done
echo "prometheus: $checked queries evaluated, $pending of them on panels that need incident data"

# ---- 3. PostgreSQL panels, as the read-only Grafana role ----
kill -TERM "$mamorid_pid"
wait "$mamorid_pid" 2>/dev/null || true
psql "$db_dsn" -qAt -v ON_ERROR_STOP=1 -f "$src/grafana/grafana_reader.sql" >/dev/null ||
  die "grafana/grafana_reader.sql failed"
psql "$db_dsn" -qAt -v ON_ERROR_STOP=1 >/dev/null <<'EOF' || die "cannot seed incidents"
INSERT INTO incidents (type, subject, dedup_key, platform, title, severity, status, opened_at, acknowledged_at, resolved_at)
VALUES
  ('impersonation', 'x:grafana_test_candidate', 'impersonation:x:grafana_test_candidate', 'x', '成りすましの疑い: @soma__city', 'high', 'open', now() - interval '2 hours', NULL, NULL),
  ('misinformation', 'grafana-test:water', 'misinformation:grafana-test:water', 'x', '断水の誤情報', 'medium', 'acknowledged', now() - interval '3 days', now() - interval '3 days' + interval '20 minutes', NULL),
  ('flameup', 'x:grafana_test_official', 'flameup:x:grafana_test_official', 'x', '返信の急増', 'critical', 'resolved', now() - interval '5 hours', now() - interval '290 minutes', now() - interval '1 hour');
EOF
sql_checked=0
for file in "${dashboards[@]}"; do
  duid=$(jq -r .uid "$file")
  while IFS=$'\t' read -r key ptitle sql; do
    # Grafana's macros for a seven-day view.
    sql=$(sed -E "s/\\\$__timeFilter\(([^)]*)\)/\1 BETWEEN now() - interval '7 days' AND now()/g" <<<"$sql")
    # Every municipality (Grafana writes the chosen ones as a quoted list).
    sql=${sql//\$municipality/SELECT DISTINCT municipality FROM incidents}
    if [[ $sql == *'$__'* ]]; then
      fail "$duid#$key ($ptitle): a Grafana macro this test does not expand: $sql"
      continue
    fi
    if ! out=$(psql "$db_dsn" -qAt -v ON_ERROR_STOP=1 -c "SET ROLE grafana_mamori" -c "$sql" 2>&1); then
      fail "$duid#$key ($ptitle): $out"
      continue
    fi
    rows=$(grep -c . <<<"$out" || true)
    sql_checked=$((sql_checked + 1))
    ((rows > 0)) || fail "$duid#$key ($ptitle): no rows from the seeded incidents"
  done < <(jq -r '.panels[] | . as $p | ($p.targets // [])[] | select(.datasource.type == "postgres")
                  | [($p.id | tostring), $p.title, (.rawSql | gsub("\n"; " "))] | @tsv' "$file")
done
# The role must not read citizens' data.
if psql "$db_dsn" -qAt -c "SET ROLE grafana_mamori" -c "SELECT count(*) FROM observed_posts" >/dev/null 2>&1; then
  fail "grafana_mamori can read observed_posts (personal data): grant only what the panels need"
fi
echo "postgresql: $sql_checked panel queries ran as grafana_mamori"

((failures == 0)) || die "$failures check(s) failed"
echo "grafana dashboards: all checks passed"
