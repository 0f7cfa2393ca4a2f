#!/usr/bin/env bash
# Regenerates the example images in Renders/ from the shipped data.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
swift build -c release --product frontline
bin=.build/release/frontline
data=${FRONTLINE_DATA:-Geodata}
for d in 2017-06-01 2017-10-17 2017-11-19; do
  $bin render --data "$data" --date "$d" --out "Renders/control-$d.png"
done
$bin render --data "$data" --date 2017-11-19 --out Renders/control-2017-11-19.svg
$bin render --data "$data" --date 2017-10-17 --region syria --labels both --size 1400x1050 --out Renders/syria-2017-10-17-en-ar.png
$bin render --data "$data" --date 2017-11-19 --theme colourblind --size 1200x900 --out Renders/control-2017-11-19-colourblind.png
