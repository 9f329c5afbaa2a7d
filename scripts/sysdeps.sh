#!/usr/bin/env bash
# Installs the Debian packages the project needs when they are missing:
# Pango (WeasyPrint renders the PDF reports with it), Chromium (browser tests), fonts
# covering Persian, poppler-utils (pdftoppm/pdftotext, to look at reports) and redis-server
# (the tests of rate limits shared across servers start one; scripts/redis.sh).
# Runs as root (as on the project's machines) or through sudo; does nothing when all are there.
set -euo pipefail
libraries=$(ldconfig -p 2>/dev/null || true)
fonts=$(fc-list 2>/dev/null || true)
need=()
grep -q "libpangoft2-1.0.so.0" <<<"$libraries" || need+=(libpango-1.0-0 libpangoft2-1.0-0)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
grep -qi "Noto Sans Arabic" <<<"$fonts" || need+=(fonts-noto-core)
grep -qi "DejaVu Sans" <<<"$fonts" || need+=(fonts-dejavu-core)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
echo "Installing Debian packages: ${need[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
