#!/usr/bin/env bash
# Installs every Debian 12 package that mamori's build, tests and demo need.
# Idempotent and quiet: packages already present are not touched.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config clang libclang-rt-14-dev clang-format
  # libraries
  libboost1.81-dev libcurl4-openssl-dev libsimdjson-dev libpqxx-dev prometheus-cpp-dev
  libgtest-dev libgmock-dev libbenchmark-dev libicu-dev libopencv-dev libtomlplusplus-dev
  libsodium-dev libsystemd-dev zlib1g-dev libbrotli-dev libssl-dev
  # Japanese morphological analysis (detectors/text): MeCab with the IPA dictionary in UTF-8
  libmecab-dev mecab-ipadic-utf8
  # servers and tools used by tests and the demo
  postgresql-15 postgresql-client-15 curl ca-certificates procps iproute2 util-linux
  systemd prometheus lintian dpkg-dev fakeroot file jq binutils
  # browser tests of the web console (tests/e2e: playwright-core drives Debian's Chromium)
  chromium fonts-ipaexfont-gothic
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done

# Node.js and npm for the browser tests: Debian's packages, unless a Node.js with its npm is
# already installed some other way (e.g. NodeSource's nodejs, which bundles npm and conflicts
# with Debian's npm package).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  for p in nodejs npm; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
  done
fi

if ((${#missing[@]} == 0)); then
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: missing packages: ${missing[*]}; run as root to install them" >&2
  exit 1
fi

echo "install-deps: installing ${#missing[@]} package(s): ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
