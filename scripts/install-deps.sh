#!/usr/bin/env bash
# Installs the Debian 12 packages frontline builds and runs with (as root).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
pkgs=(pkg-config libcairo2-dev libpango1.0-dev libgeos-dev libproj-dev libpng-dev
      fonts-noto-core fonts-dejavu-core poppler-utils librsvg2-bin ffmpeg)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
fi
