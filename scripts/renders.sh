#!/usr/bin/env bash
# Regenerates every example in Renders/ from the shipped data (about a minute).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
swift build -c release --product frontline
bin=.build/release/frontline
data=${FRONTLINE_DATA:-Geodata}
mkdir -p Renders
for d in 2014-08-15 2015-05-31 2016-06-30 2017-06-01 2017-10-17 2017-11-19 2019-03-23; do
  $bin render --data "$data" --date "$d" --out "Renders/control-$d.png"
done
$bin render --data "$data" --date 2017-11-19 --out Renders/control-2017-11-19.svg
# Zoomed: ISIS's Euphrates valley from Raqqa to Ramadi in mid-2015, and Iraq in August 2018.
$bin render --data "$data" --date 2015-07-01 --region 38.6,32.6,44.2,36.4 --size 1600x1100 --out Renders/euphrates-2015-07-01.png
$bin render --data "$data" --date 2018-08-01 --region iraq --out Renders/iraq-2018-08-01.png
$bin render --data "$data" --date 2017-10-17 --region syria --labels both --size 1400x1050 --out Renders/syria-2017-10-17-en-ar.png
$bin render --data "$data" --date 2017-11-19 --theme colourblind --size 1200x900 --out Renders/control-2017-11-19-colourblind.png
$bin compare 2017-06-01 2017-12-01 --data "$data" --out Renders/change-2017-06-01-to-2017-12-01.png \
  --report Renders/change-2017-06-01-to-2017-12-01.md
$bin compare 2017-06-01 2017-12-01 --data "$data" --report Renders/change-2017-06-01-to-2017-12-01.json
$bin compare 2017-06-01 2017-12-01 --data "$data" --layout side-by-side --out Renders/change-side-by-side.png
frames=$(mktemp -d)
$bin frames --data "$data" --from 2017-09-01 --to 2017-11-30 --step 1d --size 960x720 --out "$frames" --force \
  --fps 10 --video Renders/collapse-2017-09-01-to-2017-11-30.gif
$bin frames --data "$data" --from 2017-09-01 --to 2017-11-30 --step 1d --size 1280x960 --out "$frames" --force \
  --fps 10 --video Renders/collapse-2017-09-01-to-2017-11-30.mp4
rm -rf "$frames"
ls -la Renders
