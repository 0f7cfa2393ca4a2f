#!/usr/bin/env bash
# Builds and runs the libFuzzer harnesses (Fuzz/*.swift) on the FrontlineData sources with
# AddressSanitizer, seeded with the shipped data files.
#   bash Fuzz/run.sh csv|geojson|dataset [SECONDS] [extra libFuzzer flags]
# Exit status non-zero on a crash, leak or hang (libFuzzer writes the input as crash-*/leak-*/
# timeout-* in .build-fuzz/NAME/; keep it in Tests/Fixtures/fuzz/ as a regression test).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
name=${1:?usage: Fuzz/run.sh csv|geojson|dataset [SECONDS]}
seconds=${2:-60}
shift $(( $# >= 2 ? 2 : 1 ))
export PATH="/opt/swift/usr/bin:$PATH"
work=$ROOT/.build-fuzz/$name
mkdir -p "$work/corpus"
bin=$work/fuzz-$name
if [ ! -x "$bin" ] || [ -n "$(find "$ROOT/Sources/FrontlineData" "$ROOT/Fuzz/$name.swift" -newer "$bin" -print -quit)" ]; then
  swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name FuzzTarget \
    "$ROOT"/Sources/FrontlineData/*.swift "$ROOT/Fuzz/$name.swift" -o "$bin" > "$work/build.log" 2>&1 \
    || { cat "$work/build.log" >&2; exit 1; }
fi
seeds=$work/seeds
rm -rf "$seeds"; mkdir -p "$seeds"
case "$name" in
  csv) for f in "$ROOT"/Geodata/timeline/*.csv "$ROOT"/Geodata/sieges/*.csv "$ROOT"/Geodata/zones.csv "$ROOT"/Geodata/factions.csv; do
         cp "$f" "$seeds/$(basename "$(dirname "$f")")-$(basename "$f")"
       done
       head -c 20000 "$ROOT/Geodata/places.csv" > "$seeds/places-head.csv" ;;
  geojson) cp "$ROOT"/Tests/Fixtures/mini/basemap/*.geojson "$seeds"/
       head -c 30000 "$ROOT/Geodata/basemap/lakes.geojson" > "$seeds/lakes-head.geojson" ;;
  dataset) i=0
       for f in places.csv factions.csv timeline/events.csv sieges/mini.csv dataset.json basemap/countries.geojson basemap/lakes.geojson; do
         { printf "\\$(printf '%03o' $i)"; cat "$ROOT/Tests/Fixtures/mini/$f"; } > "$seeds/seed-$i"; i=$((i+1))
       done ;;
  *) echo "Fuzz/run.sh: unknown harness '$name' (csv, geojson, dataset)" >&2; exit 2 ;;
esac
[ -d "$ROOT/Tests/Fixtures/fuzz/$name" ] && cp "$ROOT/Tests/Fixtures/fuzz/$name"/* "$seeds"/ 2>/dev/null || true
export FUZZ_FIXTURE=$ROOT/Tests/Fixtures/mini FUZZ_TMP=${FUZZ_TMP:-$( [ -d /dev/shm ] && echo /dev/shm || echo /tmp )}
cd "$work"
"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=${FUZZ_MAX_LEN:-8192} -print_final_stats=1 "$@" corpus "$seeds" 2>&1 | tail -n 25
