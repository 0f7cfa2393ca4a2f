import Foundation
import Testing
import FrontlineTestSupport
import FrontlineData
@testable import FrontlineGeometry

@Suite struct TerritoryTests {
    func load(_ dir: String) throws -> Dataset {
        var w: [DataProblem] = []
        return try Dataset.load(directory: dir, warnings: &w)
    }

    @Test func projectedSquareHasItsArea() throws {
        let ctx = GEOSContext()
        let sq = try ctx.polygon([[XY(0, 0), XY(100_000, 0), XY(100_000, 100_000), XY(0, 100_000)]])
        #expect(abs(sq.area / 1e6 - 10_000) < 1e-6)
        let ring = try ctx.polygon([[XY(0, 0), XY(10, 0), XY(10, 10), XY(0, 10)], [XY(2, 2), XY(4, 2), XY(4, 4), XY(2, 4)]])
        #expect(abs(ring.area - 96) < 1e-9)
    }

    @Test func oneDegreeBoxHasItsEllipsoidalArea() throws {
        let ds = try load(Fixtures.mini)
        let b = try TerritoryBuilder(dataset: ds)
        let box: [Coordinate] = [.init(lon: 41, lat: 33), .init(lon: 42, lat: 33), .init(lon: 42, lat: 34),
                                 .init(lon: 41, lat: 34), .init(lon: 41, lat: 33)]
        // R² Δλ (sin φ2 − sin φ1) on the authalic sphere, R = 6371.007 km: 10,310 km².
        let expected = 6371.007 * 6371.007 * (Double.pi / 180) * (sin(34 * Double.pi / 180) - sin(33 * Double.pi / 180))
        let area = try b.areaKm2(of: [box])
        // The box edges are straight in the projection, not along parallels: allow 0.5%.
        #expect(abs(area - expected) / expected < 0.005, "area \(area) vs \(expected)")
    }

    /// dataset.json makes the Euphrates a barrier in Syria: no town's land reaches across it, so
    /// the river is the front line between Mayadin (west bank) and the Hajin pocket (east bank).
    @Test func noSyrianCellCrossesTheEuphrates() throws {
        let ds = try load(Fixtures.geodata)
        #expect(ds.info.barriers["SY"] == ["Euphrates"])
        let b = try TerritoryBuilder(dataset: ds)
        let river = try #require(ds.atlas.rivers.first { $0["name"] == "Euphrates" })
        let line = try b.context.multiLineString(river.geometry.lines.map { b.projection.forward($0) })
        let snapshot = ds.timeline.snapshot(on: try Day(iso: "2018-08-10"))
        let cells = try b.cells(for: Set(snapshot.controllers.keys))
        var checked = 0
        for p in ds.gazetteer.places where p.country == "SY" {
            guard let cell = cells[p.id] else { continue }
            // The banks share the river line: a cell may touch it, never cross it.
            let inner = try cell.buffer(-50, quadrantSegments: 2)
            #expect(!inner.intersects(line), "\(p.id)'s land crosses the Euphrates")
            checked += 1
        }
        #expect(checked > 150)
        let t = try b.build(snapshot)
        let isis = try b.geometry(of: try #require(t["isis"]))
        let mayadin = try b.context.point(try #require(b.positions["mayadin"]))
        #expect(isis.distance(to: mayadin) > 1_000)
    }

    @Test func cellsSplitTheCountryBetweenItsTowns() throws {
        let ds = try load(Fixtures.mini)
        let b = try TerritoryBuilder(dataset: ds)
        let t = try b.build(ds.timeline.snapshot(on: try Day(iso: "2017-03-01")))
        let isis = try #require(t["isis"]), gov = try #require(t["syria_gov"]), iraq = try #require(t["iraq_gov"])
        // Syria is a 2°×2° box split halfway between the two towns; Iraq has one town and is whole.
        #expect(abs(isis.areaKm2 - gov.areaKm2) / gov.areaKm2 < 0.01)
        #expect(abs(isis.areaKm2 + gov.areaKm2 - iraq.areaKm2) / iraq.areaKm2 < 0.01)
        #expect(isis.population == 50_000 && gov.population == 120_000 && iraq.places == 1)
        // No cell crosses the border: Iraq's town does not take Syrian land.
        #expect(abs(iraq.areaKm2 - 40_983) < 100)
    }

    @Test func contestedIsATerritoryOfItsOwn() throws {
        let ds = try load(Fixtures.mini)
        let t = try TerritoryBuilder(dataset: ds).build(ds.timeline.snapshot(on: try Day(iso: "2017-06-05")))
        #expect(t.parts.map(\.controller) == ["iraq_gov", "syria_gov", "contested"])
    }

    @Test(arguments: ["2017-06-01", "2017-07-10", "2017-10-17", "2017-11-19", "2017-12-31"])
    func realTerritoryPartitionsIraqAndSyriaAndHoldsEveryPlace(_ date: String) throws {
        let ds = try load(Fixtures.geodata)
        let b = try TerritoryBuilder(dataset: ds)
        let snapshot = ds.timeline.snapshot(on: try Day(iso: date))
        let t = try b.build(snapshot)
        let countries = b.countryShapes.values.reduce(0) { $0 + $1.area } / 1e6
        // Iraq (≈437,000 km²) and Syria (≈186,000 km²) on the equal-area projection.
        #expect(abs(countries - 623_300) / 623_300 < 0.01, "countries \(countries)")
        // Held land plus open desert is the whole of both countries; parts never overlap.
        let held = try b.context.union(t.parts.map { try b.geometry(of: $0) }).area / 1e6
        #expect(abs(held - t.totalAreaKm2) / held < 0.001, "parts overlap: \(held) vs \(t.totalAreaKm2)")
        let desert = b.sparseShape.map { $0.area / 1e6 } ?? 0
        #expect(t.totalAreaKm2 <= countries * 1.0001 && t.totalAreaKm2 >= countries - desert - 1, "territory \(t.totalAreaKm2) vs \(countries)")
        var geometries: [String: PreparedGeometry] = [:]
        var kept: [Geometry] = []
        for part in t.parts {
            let g = try b.geometry(of: part)
            kept.append(g)
            geometries[part.controller] = g.prepared()
        }
        var outside: [String] = []
        for (id, controller) in snapshot.controllers {
            guard let position = b.positions[id] else {
                #expect(ds.zone(id) != nil, "\(id) is neither a place nor a zone")
                continue
            }
            let pt = try b.context.point(position)
            let inside = geometries[controller]!.intersects(try pt.buffer(10, quadrantSegments: 2))
            // A place a few hundred metres outside the generalised border may fall outside; allow 3 km.
            if !inside, let country = b.countryShapes[ds.gazetteer[id]!.country], country.distance(to: pt) < 3000 { continue }
            if !inside { outside.append(id) }
        }
        #expect(outside.isEmpty, "places outside their controller's territory: \(outside)")
    }

    @Test func desertBeyondReachIsHeldByNobody() throws {
        let dir = try Fixtures.copyOfMini()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // The eastern half of "Iraq" is open desert; Iraq Town (43.0 E) reaches 30 km into it.
        try """
        {"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon",
        "coordinates":[[[43.2,33],[44,33],[44,35],[43.2,35],[43.2,33]]]}}]}
        """.write(toFile: dir + "/basemap/sparse.geojson", atomically: true, encoding: .utf8)
        var info = try String(contentsOfFile: dir + "/dataset.json", encoding: .utf8)
        info = info.replacingOccurrences(of: "\"attribution\"", with: "\"desert_reach_km\": 30,\n  \"attribution\"")
        try info.write(toFile: dir + "/dataset.json", atomically: true, encoding: .utf8)
        let ds = try load(dir)
        #expect(ds.info.desertReachKm == 30)
        let b = try TerritoryBuilder(dataset: ds)
        let t = try b.build(ds.timeline.snapshot(on: try Day(iso: "2017-03-01")))
        let iraq = try #require(t["iraq_gov"])
        // Whole box 40,983 km²; desert 0.8° wide (≈16,400 km²); the town at 0.2° (≈18.5 km)
        // from the desert edge reaches about 11.5 km into it: a lens of a few hundred km².
        let west = try b.areaKm2(of: [[.init(lon: 42, lat: 33), .init(lon: 43.2, lat: 33), .init(lon: 43.2, lat: 35),
                                        .init(lon: 42, lat: 35), .init(lon: 42, lat: 33)]])
        #expect(iraq.areaKm2 > west + 100 && iraq.areaKm2 < west + 1500, "iraq \(iraq.areaKm2), west \(west)")
    }

    @Test func zonesOverrideTheCellsAroundThem() throws {
        let dir = try Fixtures.copyOfMini()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try """
        id,name,country,lat,lon,area_km2,source,note
        west-pocket,West desert pocket,SY,34.0,40.5,1000,https://example.org/pocket,
        """.write(toFile: dir + "/zones.csv", atomically: true, encoding: .utf8)
        try Fixtures.append("2017-08-01,west-pocket,isis,https://example.org/p1,pocket cut off", to: dir + "/timeline/events.csv")
        let ds = try load(dir)
        #expect(ds.zones.count == 1 && ds.name(of: "west-pocket") == "West desert pocket")
        let b = try TerritoryBuilder(dataset: ds)
        let before = try b.build(ds.timeline.snapshot(on: try Day(iso: "2017-07-15")))
        let after = try b.build(ds.timeline.snapshot(on: try Day(iso: "2017-08-15")))
        let pocket = try #require(after["isis"])
        // A 1,000 km² disc, wholly inside "Syria", taken out of the government's land.
        #expect(abs(pocket.areaKm2 - 1000) < 10, "\(pocket.areaKm2)")
        #expect(pocket.places == 0 && pocket.population == 0)
        let govBefore = try #require(before["syria_gov"]), govAfter = try #require(after["syria_gov"])
        #expect(abs(govBefore.areaKm2 - govAfter.areaKm2 - 1000) < 10)
        #expect(abs(after.totalAreaKm2 - before.totalAreaKm2) < 1)
        let c = try b.compare(from: try Day(iso: "2017-07-15"), to: try Day(iso: "2017-08-15"))
        #expect(c.changes.contains { $0.place == "west-pocket" && $0.name == "West desert pocket" && $0.to == "isis" })
        // Cleared, the zone leaves the map: the land is the towns' again, as before it.
        try Fixtures.append("2017-08-20,west-pocket,unheld,https://example.org/p2,cleared", to: dir + "/timeline/events.csv")
        let ds2 = try load(dir)
        let cleared = ds2.timeline.snapshot(on: try Day(iso: "2017-08-25"))
        #expect(cleared["west-pocket"] == nil)
        let later = try TerritoryBuilder(dataset: ds2).build(cleared)
        #expect(later["isis"] == nil)
        #expect(abs(try #require(later["syria_gov"]).areaKm2 - govBefore.areaKm2) < 1)
    }

    /// A corridor zone is a strip along its path, `width_km` wide, with square ends.
    @Test func corridorZonesAreStripsAlongTheirPath() throws {
        let dir = try Fixtures.copyOfMini()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try """
        id,name,country,lat,lon,area_km2,source,note,path,width_km
        strip,Desert strip,SY,,,1200,https://example.org/strip,,34.0 40.3; 34.5 40.3,20
        """.write(toFile: dir + "/zones.csv", atomically: true, encoding: .utf8)
        try Fixtures.append("2017-08-01,strip,isis,https://example.org/p1,", to: dir + "/timeline/events.csv")
        let ds = try load(dir)
        let z = try #require(ds.zone("strip"))
        #expect(z.isCorridor && z.path.count == 2 && z.widthKm == 20)
        let b = try TerritoryBuilder(dataset: ds)
        let pocket = try #require(try b.build(ds.timeline.snapshot(on: try Day(iso: "2017-08-15")))["isis"])
        // 0.5° of latitude ≈ 55.5 km long × 20 km wide, flat ends: ≈ 1,110 km².
        #expect(abs(pocket.areaKm2 - 1110) < 15, "\(pocket.areaKm2)")
        #expect(b.zoneProblems(file: "zones.csv").isEmpty)
    }

    /// A pocket outline holds no land: it limits the places its side holds inside it to the land
    /// inside it, and what their cells lose is no one's. Places of other sides keep their cells.
    @Test func outlinesLimitTheirSidesPlacesInsideThem() throws {
        let dir = try Fixtures.copyOfMini()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try """
        id,name,country,lat,lon,area_km2,source,note,path,width_km,kind
        east-pocket,East pocket,SY,34.0,41.5,500,https://example.org/pocket,,,,outline
        """.write(toFile: dir + "/zones.csv", atomically: true, encoding: .utf8)
        try Fixtures.append("2017-10-01,east-pocket,isis,https://example.org/p1,outline of a side that does not hold East Town", to: dir + "/timeline/events.csv")
        try Fixtures.append("2017-11-01,east-pocket,sdf,https://example.org/p2,", to: dir + "/timeline/events.csv")
        let ds = try load(dir)
        #expect(ds.zone("east-pocket")?.kind == .outline)
        let b = try TerritoryBuilder(dataset: ds)
        let day = { (iso: String) in ds.timeline.snapshot(on: try Day(iso: iso)) }
        let before = try b.build(try day("2017-09-15"))
        let otherSide = try b.build(try day("2017-10-15"))
        let after = try b.build(try day("2017-11-15"))
        let sdfBefore = try #require(before["sdf"]).areaKm2
        #expect(sdfBefore > 2_000)
        // The outline of a side that holds nothing inside it changes nothing and draws nothing.
        #expect(abs(try #require(otherSide["sdf"]).areaKm2 - sdfBefore) < 1)
        #expect(abs(otherSide.totalAreaKm2 - before.totalAreaKm2) < 1)
        #expect(otherSide["isis"] == nil)
        // East Town keeps only the 500 km² disc; the rest of its cell is no one's.
        let sdf = try #require(after["sdf"])
        #expect(abs(sdf.areaKm2 - 500) < 10, "\(sdf.areaKm2)")
        #expect(sdf.places == 1 && sdf.population == 120_000)
        #expect(abs(try #require(after["syria_gov"]).areaKm2 - before["syria_gov"]!.areaKm2) < 1)
        #expect(abs(before.totalAreaKm2 - after.totalAreaKm2 - (sdfBefore - sdf.areaKm2)) < 1)
        // The cheap area path agrees with the dissolved territory.
        let areas = try b.areas(try day("2017-11-15"))
        #expect(abs((areas["sdf"] ?? 0) - sdf.areaKm2) < 1)
        #expect(abs((try b.areasByCountry(try day("2017-11-15"))["SY"]?["sdf"] ?? 0) - sdf.areaKm2) < 1)
    }

    /// The Hajin pocket of 2018 is the 30 × 10 km strip CJTF-OIR described, not the villages' cells
    /// reaching into the desert up to the Iraqi border.
    @Test func theHajinPocketKeepsToItsOutline() throws {
        let ds = try load(Fixtures.geodata)
        let b = try TerritoryBuilder(dataset: ds)
        let areas = try b.areasByCountry(ds.timeline.snapshot(on: try Day(iso: "2018-09-10")))
        let isis = areas["SY"]?["isis"] ?? 0
        #expect(isis > 240 && isis < 360, "\(isis)")
    }

    /// From the fall of al-Sha'fa (13 Jan 2019) the January outline (Jisr: at most 15 × 4 km, about
    /// 60 km²) replaces the July one, and the villages left to ISIS keep only the land inside it.
    @Test func theJanuaryOutlineTakesOverFromTheJulyOne() throws {
        let ds = try load(Fixtures.geodata)
        let b = try TerritoryBuilder(dataset: ds)
        let before = ds.timeline.snapshot(on: try Day(iso: "2019-01-12"))
        let after = ds.timeline.snapshot(on: try Day(iso: "2019-01-14"))
        #expect(before.controllers["hajin-pocket"] == "isis" && before.controllers["hajin-pocket-january"] == nil)
        #expect(after.controllers["hajin-pocket"] == nil && after.controllers["hajin-pocket-january"] == "isis")
        let held = try b.areasByCountry(after)["SY"]?["isis"] ?? 0
        #expect(held > 40 && held < 72, "\(held)")
        let earlier = try b.areasByCountry(before)["SY"]?["isis"] ?? 0
        #expect(earlier > held, "\(earlier) → \(held)")
    }

    @Test func malformedCorridorsAreErrorsWithTheirLine() throws {
        let dir = try Fixtures.copyOfMini()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try """
        id,name,country,lat,lon,area_km2,source,note,path,width_km,kind
        a,A,SY,,,100,https://example.org/a,,34.0 40.3,20
        b,B,SY,,,100,https://example.org/b,,34.0 40.3; 34.5 940.3,20
        c,C,SY,,,100,https://example.org/c,,34.0 40.3; 34.5 40.3,
        d,D,SY,,,100,https://example.org/d,,,
        e,E,SY,34.0,40.3,100,https://example.org/e,,,,pocket
        """.write(toFile: dir + "/zones.csv", atomically: true, encoding: .utf8)
        let error = try #require(throws: DataProblems.self) { try Zone.load(path: dir + "/zones.csv", displayName: "zones.csv") }
        let lines = error.problems.compactMap(\.line)
        #expect(lines == [2, 3, 4, 5, 6], "\(error.problems)")
    }

    @Test func projectionRoundTrips() throws {
        let p = try Projection.regionalEqualArea()
        let coords = [Coordinate(lon: 43.1189, lat: 36.335), Coordinate(lon: 40.9185, lat: 34.4523)]
        let back = p.inverse(p.forward(coords))
        for (a, b) in zip(coords, back) {
            #expect(abs(a.lon - b.lon) < 1e-7 && abs(a.lat - b.lat) < 1e-7)
        }
        // Mosul to Abu Kamal: 289 km by the haversine formula; near the projection centre
        // distances are within 1%.
        let xy = p.forward(coords)
        let d = ((xy[0].x - xy[1].x) * (xy[0].x - xy[1].x) + (xy[0].y - xy[1].y) * (xy[0].y - xy[1].y)).squareRoot() / 1000
        let r = Double.pi / 180
        let h = pow(sin((coords[1].lat - coords[0].lat) * r / 2), 2)
            + cos(coords[0].lat * r) * cos(coords[1].lat * r) * pow(sin((coords[1].lon - coords[0].lon) * r / 2), 2)
        let great = 2 * 6371.0 * asin(h.squareRoot())
        #expect(abs(great - 289) < 2)
        #expect(abs(d - great) / great < 0.01, "distance \(d) vs \(great)")
    }

    @Test func geosErrorsBecomeSwiftErrors() throws {
        let ctx = GEOSContext()
        #expect(throws: GeometryError.self) { try ctx.polygon([[XY(0, 0), XY(1, 1)]]) }
    }
}
