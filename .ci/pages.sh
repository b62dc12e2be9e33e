#!/usr/bin/env bash
# Report pages as a reader sees them: every kind of page the program writes,
# rendered in headless Chromium (scripts/pages/check.sh). Installs Debian's
# chromium package when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null; then
    echo "pages: installing Debian's chromium"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
    command -v chromium >/dev/null || { echo "pages: chromium still missing after apt-get install" >&2; exit 1; }
fi
bash scripts/pages/check.sh
