#!/usr/bin/env bash
# Rewrites the screenshots in docs/images/pages/: the first 1200 x 1400 pixels
# of every kind of report page, as headless Chromium shows them, written from
# the shipped scenarios by scripts/pages/check.sh (which also checks each
# page). docs/PAGES.md and the README show them. Rerun after a change to a
# page:
#
#   scripts/pages/screenshots.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
shots=$(mktemp -d /tmp/alliance-sim-shots.XXXXXX)
# A fixed results folder, so that the paths the pages show (in their
# manifests) are the same at every rerun and the screenshots change only
# when the pages do.
work=/tmp/alliance-sim-pages-docs
rm -rf "$work"
trap 'rm -rf "$shots" "$work"' EXIT

bash "$root/scripts/pages/check.sh" --height 1400 --screenshots "$shots" --keep "$work"

dest=$root/docs/images/pages
rm -rf "$dest"
mkdir -p "$dest"
# One of each kind; the long-name run and the merged run are checked, not shown.
for name in kyrgyzstan_2010 validation sweep-line sweep-rules sweep-heat sweep-heat-rules \
            sweep-lhs sweep-oat kyrgyzstan_2010-sensitivity kazakhstan_2022-power \
            ukraine_facility_2024_02-power unsc_1965-power calibration; do
    cp "$shots/$name.png" "$dest/$name.png"
done
echo "screenshots: $(ls "$dest" | wc -l) pages in docs/images/pages/"
