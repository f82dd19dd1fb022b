#!/usr/bin/env bash
# The systemd unit and its sysusers.d/tmpfiles.d snippets:
#  - `systemd-analyze verify` accepts the unit (its ExecStart*= pointed at the built binaries,
#    since /usr/bin/mamorid exists only once the package is installed);
#  - `systemd-analyze security --offline=true` rates its exposure at 2.0 or less;
#  - the settings mamorid relies on are there (Type=notify, watchdog, reload, exit status 2);
#  - every "file:NAME" credential of the example configuration is handed over by LoadCredential=;
#  - systemd-sysusers and systemd-tmpfiles, run on an empty root, create the user and the
#    directories the unit expects.
# usage: systemd_unit.sh SOURCE_DIR BIN_DIR
set -euo pipefail

src=${1:?usage: systemd_unit.sh SOURCE_DIR BIN_DIR}
bin=${2:?usage: systemd_unit.sh SOURCE_DIR BIN_DIR}
src=$(cd "$src" && pwd)  # systemd tools and the unit need absolute paths
bin=$(cd "$bin" && pwd)
unit=$src/deploy/systemd/mamorid.service
max_exposure=2.0

failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}
for tool in systemd-analyze systemd-sysusers systemd-tmpfiles; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed (deploy/install-deps.sh installs systemd)" >&2; exit 1; }
done
for exe in mamorid mamorictl; do
  [[ -x "$bin/$exe" ]] || { echo "FAIL: $bin/$exe is missing: build it first" >&2; exit 1; }
done

work=$(mktemp -d /tmp/mamori-unit-test.XXXXXX)
trap 'rm -rf "$work"' EXIT

# verify: the unit as installed, except for where the binaries are.
sed -e "s|/usr/bin/mamorid|$bin/mamorid|g" -e "s|/usr/bin/mamorictl|$bin/mamorictl|g" "$unit" \
  >"$work/mamorid.service"
if ! out=$(systemd-analyze verify --man=no "$work/mamorid.service" 2>&1); then
  fail "systemd-analyze verify rejected the unit:"$'\n'"$out"
elif [[ -n $out ]]; then
  fail "systemd-analyze verify warned:"$'\n'"$out"
fi
# The check can fail: a unit with a misspelt directive must not pass.
sed 's/^ProtectSystem=strict/ProtectSytem=strict/' "$work/mamorid.service" >"$work/broken.service"
if [[ -z $(systemd-analyze verify --man=no "$work/broken.service" 2>&1) ]]; then
  fail "systemd-analyze verify did not notice a misspelt directive: the verify step proves nothing"
fi

# security: the overall exposure, 0.0 (locked down) to 10.0 (unprotected).
report=$(systemd-analyze security --offline=true --no-pager "$unit" 2>&1) || true
exposure=$(sed -n 's/.*Overall exposure level for mamorid.service: \([0-9.]*\).*/\1/p' <<<"$report")
if [[ -z $exposure ]]; then
  fail "systemd-analyze security printed no exposure level:"$'\n'"$report"
elif ! awk -v e="$exposure" -v m="$max_exposure" 'BEGIN { exit !(e <= m) }'; then
  fail "exposure $exposure is above $max_exposure; what is not protected:"$'\n'"$(grep '✗' <<<"$report")"
else
  echo "exposure: $exposure (at most $max_exposure)"
fi

# Settings mamorid's behaviour depends on (daemon/app/daemon.cpp).
require() {
  grep -qxF "$1" "$unit" || fail "mamorid.service lacks '$1' ($2)"
}
require "Type=notify" "mamorid sends READY=1, RELOADING=1, STOPPING=1"
require "NotifyAccess=main" "only mamorid itself may notify"
require "ExecStart=/usr/bin/mamorid --config /etc/mamori/mamori.toml" "the packaged binary and configuration"
require "ExecStartPre=/usr/bin/mamorictl check-config /etc/mamori/mamori.toml" "refuse to start on a bad configuration"
require 'ExecReload=/bin/kill -HUP $MAINPID' "SIGHUP reloads the configuration"
require "Restart=on-failure" "restart after a crash or a watchdog timeout"
require "RestartPreventExitStatus=2" "exit status 2 is an invalid configuration"
require "User=mamori" "the sysusers.d user"
require "StateDirectory=mamori" "/var/lib/mamori"
require "ConfigurationDirectory=mamori" "/etc/mamori"
grep -qE '^WatchdogSec=[1-9]' "$unit" || fail "mamorid.service sets no WatchdogSec (mamorid pings WATCHDOG=1)"
grep -qE '^TimeoutStopSec=' "$unit" || fail "mamorid.service sets no TimeoutStopSec (drain_timeout must fit in it)"
# Resource bounds: a descriptor or memory leak, or a thread explosion, ends in a restart instead
# of starving PostgreSQL on the same machine.
grep -qE '^LimitNOFILE=[1-9]' "$unit" || fail "mamorid.service sets no LimitNOFILE (bounded descriptors)"
grep -qE '^MemoryMax=[1-9]' "$unit" || fail "mamorid.service sets no MemoryMax (bounded memory)"
grep -qE '^TasksMax=[1-9]' "$unit" || fail "mamorid.service sets no TasksMax (bounded threads)"
grep -qE '^IPAddressDeny=' "$unit" && fail "IPAddressDeny= would cut mamorid off from the platforms and PostgreSQL"

# Every file: credential of the example configuration has a LoadCredential= of that name.
creds=$(grep -oE '"file:[A-Za-z0-9_.-]+"' "$src/deploy/config/mamori.example.toml" | sed 's/"file:\(.*\)"/\1/' | sort -u)
[[ -n $creds ]] || fail "no file: credentials found in mamori.example.toml (the check would prove nothing)"
for name in $creds; do
  grep -qE "^LoadCredential=$name(:|\$)" "$unit" ||
    fail "mamori.example.toml reads file:$name but mamorid.service has no LoadCredential=$name"
done

# sysusers.d and tmpfiles.d on an empty root.
root=$work/root
mkdir -p "$root/etc"
systemd-sysusers --root="$root" "$src/deploy/systemd/mamori.sysusers" >/dev/null 2>&1 ||
  fail "systemd-sysusers rejected mamori.sysusers"
grep -q '^mamori:x:[0-9]*:[0-9]*:[^:]*:/var/lib/mamori:/usr/sbin/nologin$' "$root/etc/passwd" 2>/dev/null ||
  fail "systemd-sysusers did not create the mamori system user (no login, home /var/lib/mamori)"
uid=$(awk -F: '$1 == "mamori" { print $3 }' "$root/etc/passwd" 2>/dev/null)
[[ -n $uid ]] && ((uid < 1000)) || fail "mamori is not a system user (uid '$uid')"
grep -q '^mamori:x:' "$root/etc/group" 2>/dev/null || fail "systemd-sysusers did not create the mamori group"
systemd-tmpfiles --root="$root" --create "$src/deploy/systemd/mamori.tmpfiles" >/dev/null 2>&1 ||
  fail "systemd-tmpfiles rejected mamori.tmpfiles"
check_dir() {
  local path=$1 mode=$2
  [[ -d $root$path ]] || { fail "tmpfiles did not create $path"; return; }
  [[ $(stat -c %a "$root$path") == "$mode" ]] || fail "$path has mode $(stat -c %a "$root$path"), expected $mode"
}
check_dir /etc/mamori 750
check_dir /var/lib/mamori 700
check_dir /etc/credstore 700

((failures == 0)) || { echo "$failures check(s) failed" >&2; exit 1; }
echo "systemd unit: all checks passed"
