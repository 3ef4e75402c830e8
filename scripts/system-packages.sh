#!/usr/bin/env bash
# Installs the Debian packages KULVEX needs, or says how to when not root.
set -euo pipefail
# fonts-noto-cjk: Korean (and other CJK) transcripts render in the browser.
PACKAGES=(espeak-ng libespeak-ng1 sox chromium chromium-driver fonts-noto-cjk)
missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "KULVEX needs these Debian packages. Install them with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
