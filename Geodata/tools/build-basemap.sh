#!/bin/sh
# Builds the frontline basemap and place list from open data:
#   Geodata/basemap/{countries,governorates,rivers,lakes}.geojson
#   Geodata/places.csv   (from the curated lists Geodata/tools/places/*.csv + GeoNames)
#
# Usage (from anywhere):
#   sh Geodata/tools/build-basemap.sh                # everything
#   sh Geodata/tools/build-basemap.sh --places-only  # just Geodata/places.csv (needs python3 only)
#
# Requirements (Debian 12; installed with apt-get if missing, needs root):
#   python3, python3-gdal (osgeo, used via /usr/bin/python3), gdal-bin,
#   gmt + gmt-gshhg-high (WDBII rivers: Khabur, Great/Little Zab, Adhaim, Diyala, Orontes),
#   plus what Geodata/tools/fetch-sources.sh needs (pip, unzip, dpkg-deb, apt-get).
# Raw sources are downloaded by fetch-sources.sh into .cache/geodata (not committed)
# when the cache is missing.  Re-running gives byte-identical output.
set -eu
TOOLS=$(cd "$(dirname "$0")" && pwd)
GEODATA=$(dirname "$TOOLS")
ROOT=$(dirname "$GEODATA")
W=${W:-$ROOT/.cache/geodata}
X=$W/x
PLACES_ONLY=0
for arg in "$@"; do
  case "$arg" in
    --places-only) PLACES_ONLY=1 ;;
    *) echo "usage: $0 [--places-only]" >&2; exit 2 ;;
  esac
done

need_fetch=0
if [ "$PLACES_ONLY" = 1 ]; then
  [ -f "$X/geonames/cities500.json" ] || need_fetch=1
else
  for f in "$X/ne0/ne_10m_admin_0_countries_deu.shp" "$X/ne_lakes/ne_10m_lakes.shp" \
           "$X/geonames/cities500.json" "$X/usr/share/qgis/resources/data/world_map.gpkg" \
           "$X/usr/share/magics/10m/ne_10m_rivers_lake_centerlines.shp"; do
    [ -f "$f" ] || need_fetch=1
  done
fi
if [ "$need_fetch" = 1 ]; then
  echo "build-basemap: source cache incomplete, running fetch-sources.sh"
  # fetch-sources.sh uses `apt-get download`, which needs package lists
  [ -n "$(ls /var/lib/apt/lists/*_Packages* 2>/dev/null)" ] || apt-get update -qq
  (cd "$ROOT" && W="$W" sh "$TOOLS/fetch-sources.sh")
fi

export LC_ALL=C.UTF-8 PYTHONHASHSEED=0 PYTHONIOENCODING=utf-8

if [ "$PLACES_ONLY" = 1 ]; then
  PY=python3
  command -v "$PY" >/dev/null 2>&1 || PY=/usr/bin/python3
  exec "$PY" "$TOOLS/build_basemap.py" --cache "$X" --geodata "$GEODATA" --places-only
fi

# GDAL Python bindings: Debian's python3-gdal lives in /usr/bin/python3's site-packages.
PY=/usr/bin/python3
if ! "$PY" -c 'from osgeo import ogr' 2>/dev/null || ! command -v gmt >/dev/null 2>&1; then
  echo "build-basemap: installing python3-gdal gdal-bin gmt gmt-gshhg-high"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    python3-gdal gdal-bin gmt gmt-gshhg-high >/dev/null
fi

# WDBII permanent rivers (GSHHG, levels 1-4)
WDBII=$W/wdbii_rivers_h.txt
(cd "$W" && gmt coast -R34/49/29/38.5 -Ir -M -Dh > "$WDBII.tmp")  # gmt writes gmt.history into cwd
mv "$WDBII.tmp" "$WDBII"

"$PY" "$TOOLS/build_basemap.py" --cache "$X" --geodata "$GEODATA" --wdbii "$WDBII"
echo "build-basemap: done"
