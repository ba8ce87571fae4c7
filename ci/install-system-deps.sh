#!/usr/bin/env bash
# Installs the Debian packages qhal-gen needs (QEMU, picolibc, dpkg-dev for
# `apt-get source`, clang-format for formatting checks, chromium for the report
# page's screenshot test) and enables deb-src
# entries for the same archive the machine already uses. Idempotent: does
# nothing when everything is present. Needs root (or sudo) only when something
# is missing. QHAL_DEPS=runtime installs only what qhal-gen itself runs (no
# clang-format, no chromium): what a project's CI jobs need.
set -euo pipefail

pkgs=(qemu-user qemu-system-arm picolibc-arm-none-eabi dpkg-dev openssl util-linux iproute2)
if [ "${QHAL_DEPS:-all}" != runtime ]; then pkgs+=(clang-format chromium); fi
need=()
for pkg in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done

src_list=/etc/apt/sources.list.d/qhal-gen-src.sources
have_src=0
if grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ || grep -qs '^deb-src' /etc/apt/sources.list; then
  have_src=1
fi

if [ ${#need[@]} -eq 0 ] && [ $have_src -eq 1 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

if [ $have_src -eq 0 ]; then
  # Mirror every binary entry as a source entry: same archive, same suites.
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources | $SUDO tee "$src_list" >/dev/null
  elif [ -f /etc/apt/sources.list ]; then
    grep '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' | $SUDO tee /etc/apt/sources.list.d/qhal-gen-src.list >/dev/null
  fi
fi

echo "qhal-gen: installing Debian packages: ${need[*]:-(none)} (and deb-src lists)" >&2
$SUDO apt-get update -qq
if [ ${#need[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
