#!/usr/bin/env bash
# Fresh Debian 12 machine to a map: installs what is missing, builds frontline in release
# mode and renders the map for a date (default 2017-11-19) to map-DATE.png.
set -euo pipefail
cd "$(dirname "$0")/.."
date=${1:-2017-11-19}
bash scripts/install-deps.sh
export PATH="/opt/swift/usr/bin:$PATH"
swift build -c release --product frontline
.build/release/frontline render --date "$date" --out "map-$date.png"
