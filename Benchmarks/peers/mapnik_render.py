"""Draws frontline's exported territory with Mapnik, timing each render to PNG.

Layers, as in frontline: countries, territory polygons coloured by faction (Wikipedia theme)
with outlines, lakes, rivers, governorate and country borders, and town dots. Same Lambert
azimuthal equal-area projection and extent as frontline's --region all. Mapnik draws no labels
or legend here, so it does less work than frontline.
"""
import csv, os, sys, time
import mapnik

territory, geodata, size, runs, out = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
w, h = (int(v) for v in size.split("x"))
LAEA = "+proj=laea +lat_0=33.75 +lon_0=41.5 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"
colours = {}
with open(os.path.join(geodata, "factions.csv"), encoding="utf-8") as f:
    for row in csv.DictReader(f):
        colours[row["id"]] = (row["wikipedia_fill"], row["wikipedia_dot"])
colours["contested"] = ("#F3E3D3", "#8B1A1A")

m = mapnik.Map(w, h, LAEA)
m.background = mapnik.Color("#CFE3EE")

def layer(name, path, style):
    lyr = mapnik.Layer(name, "+proj=longlat +datum=WGS84 +no_defs")
    lyr.datasource = mapnik.GeoJSON(file=path)
    lyr.styles.append(style)
    m.layers.append(lyr)

def add_style(name, rules):
    s = mapnik.Style()
    for r in rules:
        s.rules.append(r)
    m.append_style(name, s)
    return name

def poly_rule(fill, stroke=None, width=1.0, flt=None):
    r = mapnik.Rule()
    if flt:
        r.filter = mapnik.Expression(flt)
    p = mapnik.PolygonSymbolizer()
    p.fill = mapnik.Color(fill)
    r.symbols.append(p)
    if stroke:
        l = mapnik.LineSymbolizer()
        l.stroke = mapnik.Color(stroke)
        l.stroke_width = width
        r.symbols.append(l)
    return r

def line_rule(stroke, width, dash=None):
    r = mapnik.Rule()
    l = mapnik.LineSymbolizer()
    l.stroke = mapnik.Color(stroke)
    l.stroke_width = width
    if dash:
        l.stroke_dasharray = dash
    r.symbols.append(l)
    return r

base = os.path.join(geodata, "basemap")
layer("countries", os.path.join(base, "countries.geojson"), add_style("countries", [poly_rule("#ECEBE7")]))
layer("territory", territory, add_style("territory", [
    poly_rule(fill, dot, 1.0, "[id] = '%s'" % fid) for fid, (fill, dot) in colours.items()]))
layer("lakes", os.path.join(base, "lakes.geojson"), add_style("lakes", [poly_rule("#9CC3DC", "#6FA3C4", 0.6)]))
layer("rivers", os.path.join(base, "rivers.geojson"), add_style("rivers", [line_rule("#4F93C2", 1.1)]))
layer("governorates", os.path.join(base, "governorates.geojson"),
      add_style("governorates", [line_rule("#5A5A5A", 0.7, "4,3")]))
layer("borders", os.path.join(base, "countries.geojson"), add_style("borders", [line_rule("#3A3A3A", 1.5)]))

# Town dots from places.csv (written as GeoJSON points beside the territory file).
points = []
with open(os.path.join(geodata, "places.csv"), encoding="utf-8") as f:
    for row in csv.DictReader(f):
        points.append('{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[%s,%s]}}'
                      % (row["lon"], row["lat"]))
places_path = os.path.join(os.path.dirname(out), "places.geojson")
with open(places_path, "w") as f:
    f.write('{"type":"FeatureCollection","features":[' + ",".join(points) + "]}")
places = mapnik.Layer("places", "+proj=longlat +datum=WGS84 +no_defs")
places.datasource = mapnik.GeoJSON(file=places_path)
r = mapnik.Rule()
dot = mapnik.MarkersSymbolizer()
dot.fill = mapnik.Color("#C62828")
dot.width = mapnik.Expression("6")
dot.height = mapnik.Expression("6")
r.symbols.append(dot)
m.append_style("places", mapnik.Style())
m.find_style("places").rules.append(r)
places.styles.append("places")
m.layers.append(places)

# frontline's --region all extent, in projected metres.
to_map = mapnik.ProjTransform(mapnik.Projection("+proj=longlat +datum=WGS84 +no_defs"), mapnik.Projection(LAEA))
corners = [to_map.forward(mapnik.Coord(lon, lat)) for lon in (35.2, 42.05, 48.9) for lat in (29.0, 37.9)]
m.zoom_to_box(mapnik.Box2d(min(c.x for c in corners), min(c.y for c in corners),
                           max(c.x for c in corners), max(c.y for c in corners)))

times = []
for _ in range(runs):
    t = time.perf_counter()
    img = mapnik.Image(w, h)
    mapnik.render(m, img)
    img.save(out, "png")
    times.append((time.perf_counter() - t) * 1000)
times.sort()
print("mapnik draw + encode PNG %dx%d (territory, basemap, dots)  median %8.2f ms   min %8.2f ms   (%d runs)"
      % (w, h, times[len(times) // 2], times[0], runs))
