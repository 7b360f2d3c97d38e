#!/usr/bin/env bash
# Installs Ward's build and test dependencies from Debian 12 packages.
# Idempotent: when every package is already installed it touches nothing.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git clang clang-tidy clang-format
  libboost-dev nlohmann-json3-dev libsqlite3-dev libstemmer-dev libutf8proc-dev
  libroaring-dev libcmark-gfm-dev libcmark-gfm-extensions-dev libxml2-dev libpoppler-cpp-dev libssl-dev
  libcli11-dev libtomlplusplus-dev libgtest-dev libgmock-dev libbenchmark-dev libre2-dev
  libvalijson-dev libcurl4-openssl-dev libyaml-cpp-dev libarchive-dev libpq-dev postgresql
  python3 python3-yaml curl chromium
  libclang-rt-14-dev  # scripts/fuzz.sh: the libFuzzer build (tests/fuzz)
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
