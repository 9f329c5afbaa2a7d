#!/usr/bin/env bash
# Installs the Debian packages the project needs when they are missing:
# Chromium (browser tests), fonts covering Persian, and poppler-utils (pdftoppm/pdftotext).
# Runs as root (as on the project's machines) or through sudo; does nothing when all are there.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
fc-list 2>/dev/null | grep -qi "Noto Sans Arabic" || need+=(fonts-noto-core)
fc-list 2>/dev/null | grep -qi "DejaVu Sans" || need+=(fonts-dejavu-core)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
echo "Installing Debian packages: ${need[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
