#!/usr/bin/env bash
# Side by side, in one run: Mapnik (Debian python3-mapnik) draws the territory that
# `frontline export` wrote, with the same basemap layers, projection and size, and frontline
# draws the full map (territory, basemap, towns, labels, legend) for the same day.
#   bash Benchmarks/peers/mapnik_vs_frontline.sh [date] [WIDTHxHEIGHT] [runs]
set -euo pipefail
cd "$(dirname "$0")/../.."
date=${1:-2017-11-19}; size=${2:-1280x960}; runs=${3:-20}
export PATH="/opt/swift/usr/bin:$PATH"
if ! /usr/bin/python3 -c 'import mapnik' 2>/dev/null; then
  apt-get install -y --no-install-recommends python3-mapnik >/dev/null
fi
swift build -c release --product frontline 2>/dev/null >/dev/null
swift build -c release --product frontline-bench 2>/dev/null >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
.build/release/frontline export --date "$date" --out "$work/territory.geojson" >/dev/null
echo "== Mapnik $(/usr/bin/python3 -c 'import mapnik; print(mapnik.mapnik_version_string())') =="
/usr/bin/python3 Benchmarks/peers/mapnik_render.py "$work/territory.geojson" Geodata "$size" "$runs" "$work/mapnik.png"
echo "== frontline =="
.build/release/frontline-bench --date "$date" --size "$size" --runs "$runs" | grep -E "draw|frontline-bench"
# Per frame of an animation, on one core, whole command (load, territory, drawing, encoding):
# a typical year, and the busiest three months of the war.
for range in "2016-01-01 2016-12-31" "2017-09-01 2017-11-30"; do
  set -- $range
  frames="$work/frames-$1"
  start=$(date +%s.%N)
  .build/release/frontline frames --from "$1" --to "$2" --step 1d --size "$size" --jobs 1 --out "$frames" 2>/dev/null >/dev/null
  end=$(date +%s.%N)
  n=$(ls "$frames" | grep -c '^frame-')
  python3 -c "import sys; t=float(sys.argv[2])-float(sys.argv[1]); n=int(sys.argv[3]); print('frontline frames %s … %s: %d frames in %.2f s = %.1f ms per frame (one core, whole command)' % (sys.argv[4], sys.argv[5], n, t, t*1000/n))" "$start" "$end" "$n" "$1" "$2"
  rm -rf "$frames"
done
