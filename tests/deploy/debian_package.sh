#!/usr/bin/env bash
# The Debian package: builds it with `cpack -G DEB` from the build directory (into a temporary
# directory), then checks
#  - its name (mamori_<version>_amd64.deb, the version mamorid reports);
#  - its contents (`dpkg-deb -c`): binaries (stripped), unit, sysusers/tmpfiles snippets, the
#    configuration, every playbook, template and migration of the source tree, Prometheus and
#    Grafana files, docs with copyright and changelog; nothing else, all owned by root;
#  - its metadata (`dpkg-deb -f`, conffiles, maintainer scripts): Depends names the package of
#    every shared library the binaries load, the configuration is a conffile, postinst creates
#    the user and directories but neither enables nor starts the service;
#  - `lintian` reports no errors (warnings are printed, not fatal).
# usage: debian_package.sh SOURCE_DIR BUILD_DIR
set -euo pipefail

src=${1:?usage: debian_package.sh SOURCE_DIR BUILD_DIR}
build=${2:?usage: debian_package.sh SOURCE_DIR BUILD_DIR}
src=$(cd "$src" && pwd)
build=$(cd "$build" && pwd)

failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}
die() {
  echo "FAIL: $*" >&2
  exit 1
}
for tool in cpack dpkg-deb dpkg-shlibdeps lintian objdump file fakeroot; do
  command -v "$tool" >/dev/null || die "$tool is not installed (deploy/install-deps.sh installs it)"
done
for exe in mamorid mamorictl; do
  [[ -x "$build/bin/$exe" ]] || die "$build/bin/$exe is missing: build it first"
done
[[ -f "$build/CPackConfig.cmake" ]] || die "$build/CPackConfig.cmake is missing: configure with cmake first"

work=$(mktemp -d /tmp/mamori-deb-test.XXXXXX)
trap 'rm -rf "$work"' EXIT

version=$("$build/bin/mamorid" --version | awk '{ print $2 }')
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+ ]] || die "cannot read the version from 'mamorid --version'"
arch=$(dpkg --print-architecture)

if ! (cd "$build" && cpack -G DEB --config CPackConfig.cmake -B "$work/out") >"$work/cpack.log" 2>&1; then
  cat "$work/cpack.log" >&2
  die "cpack -G DEB failed"
fi
deb=$work/out/mamori_${version}_${arch}.deb
[[ -f $deb ]] || die "cpack did not make $(basename "$deb"); it made: $(ls "$work/out")"
echo "built $(basename "$deb") ($(du -h "$deb" | cut -f1))"

# ---- contents ----
dpkg-deb -c "$deb" >"$work/contents"
# Paths only, without the leading "." (dpkg-deb -c: perms owner size date time path).
awk '{ p = $6; sub(/^\./, "", p); print p }' "$work/contents" | sed 's|/$||' | grep -v '^$' | sort >"$work/paths"
has() {
  grep -qxF "$1" "$work/paths" || fail "the package lacks $1"
}
has /usr/bin/mamorid
has /usr/bin/mamorictl
has /lib/systemd/system/mamorid.service
has /usr/lib/sysusers.d/mamori.conf
has /usr/lib/tmpfiles.d/mamori.conf
has /etc/mamori/mamori.toml
has /usr/share/doc/mamori/copyright
has /usr/share/doc/mamori/changelog.gz
has /usr/share/mamori/prometheus/prometheus.yml
has /usr/share/mamori/prometheus/rules/mamori.rules.yml
has /usr/share/mamori/grafana/provisioning/datasources/mamori.yml
has /usr/share/mamori/grafana/provisioning/dashboards/mamori.yml
has /usr/share/mamori/grafana/grafana_reader.sql
for f in "$src"/grafana/dashboards/*.json; do has "/usr/share/mamori/grafana/dashboards/$(basename "$f")"; done
# Every playbook and template of the source tree, at the same relative path.
while IFS= read -r f; do
  has "/usr/share/mamori/playbooks/${f#"$src"/playbooks/}"
done < <(find "$src/playbooks" -name '*.toml' | sort)
for f in "$src"/deploy/sql/*.sql; do has "/usr/share/mamori/sql/$(basename "$f")"; done
# Nothing outside the expected places, no sources, no build leftovers.
unexpected=$(grep -vE '^/(usr(/bin|/lib(/sysusers\.d|/tmpfiles\.d)?|/share(/mamori|/doc(/mamori)?)?)?|lib(/systemd(/system)?)?|etc(/mamori)?)(/|$)' "$work/paths" || true)
[[ -z $unexpected ]] || fail "files in unexpected places:"$'\n'"$unexpected"
grep -qE '\.(cpp|h|o|a|in)$|CMakeLists|/engine(/|$)' "$work/paths" && fail "sources or build files in the package: $(grep -E '\.(cpp|h|o|a|in)$|CMakeLists|/engine(/|$)' "$work/paths" | head -3)"
notroot=$(awk '$2 != "root/root" { print $6 }' "$work/contents")
[[ -z $notroot ]] || fail "files not owned by root/root: $notroot"
awk '$6 == "./usr/bin/mamorid" || $6 == "./usr/bin/mamorictl" { if ($1 != "-rwxr-xr-x") exit 1 }' "$work/contents" ||
  fail "the binaries are not mode 0755"
dpkg-deb -x "$deb" "$work/root"
for exe in mamorid mamorictl; do
  file "$work/root/usr/bin/$exe" | grep -q ', stripped' || fail "/usr/bin/$exe is not stripped"
done
"$work/root/usr/bin/mamorid" --version | grep -qF "$version" || fail "the packaged mamorid does not run or reports another version"
cmp -s "$work/root/lib/systemd/system/mamorid.service" "$src/deploy/systemd/mamorid.service" ||
  fail "the packaged unit differs from deploy/systemd/mamorid.service"
cmp -s "$work/root/etc/mamori/mamori.toml" "$src/deploy/config/mamori.example.toml" ||
  fail "/etc/mamori/mamori.toml differs from deploy/config/mamori.example.toml"
zcat "$work/root/usr/share/doc/mamori/changelog.gz" | head -n 1 | grep -qF "mamori ($version)" ||
  fail "the changelog's first entry is not version $version"

# ---- metadata ----
field() { dpkg-deb -f "$deb" "$1"; }
[[ $(field Package) == mamori ]] || fail "Package is '$(field Package)'"
[[ $(field Version) == "$version" ]] || fail "Version is '$(field Version)', mamorid says $version"
[[ $(field Architecture) == "$arch" ]] || fail "Architecture is '$(field Architecture)'"
[[ $(field Maintainer) =~ ^[^\<]+\ \<[^@\>]+@[^\>]+\>$ ]] || fail "Maintainer '$(field Maintainer)' is not 'Name <address>'"
[[ -n $(field Section) && -n $(field Priority) ]] || fail "Section or Priority missing"
[[ -n $(field Description) ]] || fail "no Description"
depends=$(field Depends)
echo "Depends: $depends"
grep -q 'systemd-sysusers' <<<"$depends" || fail "Depends does not provide systemd-sysusers (postinst runs it)"
grep -q 'systemd-tmpfiles' <<<"$depends" || fail "Depends does not provide systemd-tmpfiles (postinst runs it)"
# Every shared library the binaries load comes from a package that Depends names.
owner_of() {  # the installed package owning one of the given paths (usrmerge: /lib = /usr/lib)
  local p out
  for p in "$@"; do
    out=$(dpkg -S "$p" 2>/dev/null | awk -F: 'NR == 1 { print $1 }') || true
    if [[ -n $out ]]; then
      echo "$out"
      return 0
    fi
  done
  return 1
}
# Package names in Depends, alternatives included, without version constraints.
depends_names=$(tr ',|' '\n\n' <<<"$depends" | sed 's/(.*//; s/[[:space:]]//g' | grep -v '^$')
for exe in mamorid mamorictl; do
  for lib in $(objdump -p "$build/bin/$exe" | awk '/NEEDED/ { print $2 }'); do
    path=$(ldconfig -p | awk -v l="$lib" '$1 == l && /x86-64/ && !found { print $NF; found = 1 }')
    [[ -n $path ]] || { fail "$exe needs $lib, which ldconfig does not know"; continue; }
    real=$(readlink -f "$path")
    if ! pkg=$(owner_of "$path" "$real" "${path#/usr}" "/usr${path#/usr}" "${real#/usr}" "/usr${real#/usr}"); then
      fail "no installed package owns $path ($lib)"
      continue
    fi
    pkg=${pkg%%:*}
    grep -qxF "$pkg" <<<"$depends_names" || fail "$exe needs $lib from $pkg, which Depends does not name"
  done
done
dpkg-deb -e "$deb" "$work/control"
grep -qxF /etc/mamori/mamori.toml "$work/control/conffiles" || fail "/etc/mamori/mamori.toml is not a conffile"
for script in postinst prerm postrm; do
  [[ -x $work/control/$script ]] || fail "maintainer script $script missing or not executable"
done
grep -q 'systemd-sysusers' "$work/control/postinst" || fail "postinst does not run systemd-sysusers"
grep -q 'systemd-tmpfiles --create' "$work/control/postinst" || fail "postinst does not run systemd-tmpfiles --create"
grep -q 'daemon-reload' "$work/control/postinst" || fail "postinst does not reload systemd"
# The database must be configured first: installing never enables or starts the service.
grep -nE '(systemctl|deb-systemd-invoke|deb-systemd-helper)[^#]*\b(start|enable)\b' "$work/control/postinst" &&
  fail "postinst enables or starts mamorid before its database is configured"
for script in postinst prerm postrm; do
  sh -n "$work/control/$script" || fail "$script is not valid sh"
done

# ---- lintian ----
lintian_out=$(lintian --no-tag-display-limit --display-info "$deb" 2>&1) || true
errors=$(grep -E '^E: ' <<<"$lintian_out" || true)
warnings=$(grep -E '^W: ' <<<"$lintian_out" || true)
[[ -n $warnings ]] && echo "lintian warnings (not fatal):"$'\n'"$warnings"
[[ -z $errors ]] || fail "lintian errors:"$'\n'"$errors"
if grep -qE '^(internal error|Unknown|Can.t)' <<<"$lintian_out"; then
  fail "lintian did not run properly:"$'\n'"$lintian_out"
fi

((failures == 0)) || { echo "$failures check(s) failed" >&2; exit 1; }
echo "debian package: all checks passed"
