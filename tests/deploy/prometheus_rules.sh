#!/usr/bin/env bash
# mamori's Prometheus files: `promtool check config` on the scrape configuration (which also
# checks the rule files it names), `promtool check rules`, and the rules' unit tests
# (`promtool test rules deploy/prometheus/tests/*.yml`). Every alert must have a Japanese
# summary and description and a severity of critical or warning.
# usage: prometheus_rules.sh SOURCE_DIR
set -euo pipefail

src=${1:?usage: prometheus_rules.sh SOURCE_DIR}
dir=$src/deploy/prometheus
command -v promtool >/dev/null || { echo "FAIL: promtool is not installed (deploy/install-deps.sh installs prometheus)" >&2; exit 1; }

failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

promtool check config "$dir/prometheus.yml" || fail "promtool check config deploy/prometheus/prometheus.yml"
rules=("$dir"/rules/*.yml)
promtool check rules "${rules[@]}" || fail "promtool check rules"
tests=("$dir"/tests/*.yml)
[[ -f ${tests[0]} ]] || fail "no rule tests in deploy/prometheus/tests/"
promtool test rules "${tests[@]}" || fail "promtool test rules"

# Every metric the rules use is one mamorid exports (a typo would make an alert silently never fire).
exported=$(grep -rhoE 'Name\("mamori_[a-z0-9_]+"\)' "$src/daemon" "$src/collectors" | sed 's/Name("\(.*\)")/\1/' | sort -u)
for metric in $(grep -hE '^ +expr:|^ {10,}[^ ]' "${rules[@]}" | grep -oE 'mamori_[a-z0-9_]+' | sort -u); do
  base=$(sed -E 's/_(bucket|sum|count)$//' <<<"$metric")
  grep -qxE "$metric|$base" <<<"$exported" || fail "the rules use $metric, which mamorid does not export"
done

# Every alert is tested: its name appears as an alertname in the tests.
for alert in $(grep -hoE '^ *- alert: *[A-Za-z0-9_]+' "${rules[@]}" | sed 's/.*alert: *//'); do
  grep -qE "alertname: *$alert\$" "${tests[@]}" || fail "alert $alert has no unit test in deploy/prometheus/tests/"
  # The rule's block, up to the next rule: severity label and Japanese annotations.
  block=$(awk -v a="$alert" '
    $0 ~ "^ *- alert: *" a "$" { on = 1; print; next }
    on && /^ *- (alert|record):/ { exit }
    on { print }' "${rules[@]}")
  grep -qE '^ +severity: (critical|warning)$' <<<"$block" || fail "alert $alert: severity must be critical or warning"
  for key in summary description; do
    value=$(grep -E "^ +$key:" <<<"$block" || true)
    [[ -n $value ]] || { fail "alert $alert has no $key"; continue; }
    LC_ALL=C.UTF-8 grep -qP '[\x{3040}-\x{30ff}\x{4e00}-\x{9fff}]' <<<"$value" ||
      fail "alert $alert: the $key is not Japanese"
  done
done

((failures == 0)) || { echo "$failures check(s) failed" >&2; exit 1; }
echo "prometheus rules: all checks passed"
