import Foundation
import Testing
import FrontlineTestSupport
import FrontlineData
@testable import FrontlineGeometry

/// The two tiers: held land (around places and along links between same-side neighbours) and
/// hinterland (the rest of each place's cell, short of the no-man's land at fronts).
@Suite struct TiersTests {
    static func shipped() throws -> Dataset {
        var w: [DataProblem] = []
        return try Dataset.load(directory: Fixtures.geodata, warnings: &w)
    }

    /// A desert country (every square metre sparse) two degrees square, crossed by a river along
    /// 34°N, with four towns on the river about 40 km apart: ISIS, ISIS, government, government.
    static func riverFixture() throws -> Dataset {
        let country: Ring = [.init(lon: 40, lat: 33), .init(lon: 42, lat: 33), .init(lon: 42, lat: 35),
                             .init(lon: 40, lat: 35), .init(lon: 40, lat: 33)]
        let atlas = Atlas(countries: [GeoFeature(geometry: .polygon([country]), properties: ["iso_a3": "IRQ"])],
                          governorates: [],
                          rivers: [GeoFeature(geometry: .lineString([.init(lon: 39.9, lat: 34), .init(lon: 42.1, lat: 34)]),
                                              properties: ["name": "Euphrates"])],
                          lakes: [], sparse: [GeoFeature(geometry: .polygon([country]), properties: [:])])
        let step = 40.0 / (111.32 * cos(34 * Double.pi / 180))   // 40 km in degrees of longitude
        let lons = [40.45, 40.45 + step, 40.45 + 2 * step, 40.45 + 3 * step]
        let ids = ["upstream", "midstream", "downstream", "estuary"]
        // A river is never quite straight (and collinear points have no Delaunay triangles).
        let lats = [34.0, 34.03, 33.98, 34.02]
        let places = zip(ids, zip(lons, lats)).map { Place(id: $0, name: $0, nameAr: "", coordinate: .init(lon: $1.0, lat: $1.1),
                                                 country: "IQ", population: 1000, geonameID: nil) }
        let start = try Day(iso: "2014-01-01")
        let sides = ["isis", "isis", "iraq_gov", "iraq_gov"]
        let events = zip(ids, sides).map { ControlEvent(date: start, place: $0, controller: $1, source: "https://example.org/\($0)") }
        let info = DatasetInfo(title: "fixture", coverageFrom: start, coverageTo: try Day(iso: "2014-12-31"),
                               region: GeoBox(minLon: 39, minLat: 32, maxLon: 43, maxLat: 36), attribution: "",
                               desertReachKm: 14, reachKm: 50, linkMaxKm: 100, linkHalfWidthKm: 5, frontGapKm: 5)
        let factions = FactionCatalog(factions: ["isis", "iraq_gov"].map { Faction(id: $0, name: $0, nameAr: "", colours: [:]) },
                                      themes: [])
        return Dataset(directory: "/nonexistent", info: info, factions: factions, gazetteer: Gazetteer(places: places),
                       timeline: Timeline(events: events), atlas: atlas)
    }

    @Test func sameSideTownsAlongARiverAreJoinedAndHostileOnesAreNot() throws {
        let ds = try Self.riverFixture()
        let b = try TerritoryBuilder(dataset: ds)
        let t = try b.build(ds.timeline.snapshot(on: try Day(iso: "2014-06-01")))
        let isis = try #require(t["isis"]), gov = try #require(t["iraq_gov"])
        // 40 km apart with a 14 km desert reach: two discs, unless the link joins them.
        #expect(isis.polygons.count == 1, "ISIS's two towns form \(isis.polygons.count) areas")
        #expect(gov.polygons.count == 1, "the government's two towns form \(gov.polygons.count) areas")
        let gi = try b.geometry(of: isis), gg = try b.geometry(of: gov)
        #expect(gi.distance(to: gg) > 5_000, "hostile neighbours are linked: \(gi.distance(to: gg)) m apart")
        // Each link strip is 10 km wide: the joined area is larger than two discs.
        let discs = 2 * Double.pi * 14 * 14
        #expect(isis.areaKm2 > discs + 100, "held \(isis.areaKm2) km²")
        // Hinterland: the rest of each side's cells, with a no-man's land of 2 × 5 km at the front.
        let hi = try b.hinterlandGeometry(of: isis), hg = try b.hinterlandGeometry(of: gov)
        #expect(hi.area > 0 && hg.area > 0)
        #expect(hi.distance(to: hg) > 9_000, "the no-man's land is \(hi.distance(to: hg)) m wide")
        let inner = try gi.buffer(-10, quadrantSegments: 2)
        #expect(!hi.intersects(inner), "hinterland overlaps held land")
    }

    /// No land is counted twice: held and hinterland of every side never overlap, and all of it
    /// lies inside the two countries; per country, tiers + unassigned = the country.
    @Test func theTiersPartitionTheLand() throws {
        let ds = try Self.shipped()
        let b = try TerritoryBuilder(dataset: ds)
        let countries = try b.context.union(Array(b.countryShapes.values))
        for date in ["2015-01-15", "2016-06-30", "2017-11-19", "2018-08-01"] {
            let snapshot = ds.timeline.snapshot(on: try Day(iso: date))
            let t = try b.build(snapshot)
            var pieces: [Geometry] = []
            for part in t.parts {
                pieces.append(try b.geometry(of: part))
                if !part.hinterland.isEmpty { pieces.append(try b.hinterlandGeometry(of: part)) }
            }
            let sum = t.parts.reduce(0) { $0 + $1.areaKm2 + $1.hinterlandKm2 }
            let union = try b.context.union(pieces)
            let unionKm2 = union.area / 1e6
            #expect(abs(sum - unionKm2) < 0.001 * unionKm2, "\(date): tiers overlap: \(sum) km² counted, \(unionKm2) km² covered")
            let outside = try union.difference(countries).area / 1e6
            #expect(outside < 0.001 * unionKm2, "\(date): \(outside) km² outside the countries")
            let byCountry = try b.tierAreasByCountry(snapshot)
            for code in ["IQ", "SY"] {
                let assigned = (byCountry.held[code] ?? [:]).values.reduce(0, +) + (byCountry.hinterland[code] ?? [:]).values.reduce(0, +)
                let area = b.countryAreaKm2(code)
                let inCountry = try union.intersection(try #require(b.countryShapes[code])).area / 1e6
                #expect(abs(assigned - inCountry) < 0.001 * area, "\(date) \(code): \(assigned) km² by tier, \(inCountry) km² drawn")
                #expect(assigned <= area * 1.001, "\(date) \(code): more land assigned than the country has")
            }
        }
    }

    /// From 10 December 2017 Baghdad and Erbil held all of Iraq but for a few ISIS cells: at least
    /// 97% of Iraq is held or hinterland of some side.
    @Test func iraqAfterVictoryIsAllSomeonesLand() throws {
        let ds = try Self.shipped()
        let b = try TerritoryBuilder(dataset: ds)
        for date in ["2017-12-15", "2018-08-01", "2019-03-01"] {
            let a = try b.tierAreasByCountry(ds.timeline.snapshot(on: try Day(iso: date)))
            let assigned = (a.held["IQ"] ?? [:]).values.reduce(0, +) + (a.hinterland["IQ"] ?? [:]).values.reduce(0, +)
            let share = assigned / b.countryAreaKm2("IQ")
            #expect(share >= 0.97, "\(date): only \(Int(share * 100))% of Iraq is held or hinterland")
        }
    }

    /// Every place lies in its side's held land (not merely its hinterland).
    @Test func everyPlaceLiesInItsSidesHeldLand() throws {
        let ds = try Self.shipped()
        let b = try TerritoryBuilder(dataset: ds)
        for date in ["2014-08-15", "2015-05-31", "2017-10-17", "2018-08-01"] {
            let snapshot = ds.timeline.snapshot(on: try Day(iso: date))
            let t = try b.build(snapshot)
            var shapes: [ControllerID: PreparedGeometry] = [:]
            for part in t.parts { shapes[part.controller] = try b.geometry(of: part).buffer(30, quadrantSegments: 2).prepared() }
            var missing: [String] = []
            let countries = b.countryShapes.mapValues { $0.prepared() }
            for (id, c) in snapshot.controllers {
                guard let xy = b.positions[id], let shape = shapes[c], let place = ds.gazetteer[id] else { continue }
                // Border towns whose GeoNames point lies just outside the basemap's border hold no cell.
                guard countries[place.country]?.contains(try b.context.point(xy)) == true else { continue }
                if !shape.contains(try b.context.point(xy)) { missing.append(id) }
            }
            #expect(missing.isEmpty, "\(date): not in their side's held land: \(missing.sorted().prefix(10))")
        }
    }

    /// The Iraqi government's land in August 2018 is a few areas, not a chain of discs.
    @Test func statesAreasAreContiguous() throws {
        let ds = try Self.shipped()
        let b = try TerritoryBuilder(dataset: ds)
        let t = try b.build(ds.timeline.snapshot(on: try Day(iso: "2018-08-01")))
        let gov = try #require(t["iraq_gov"])
        let whole = try b.context.union([try b.geometry(of: gov), try b.hinterlandGeometry(of: gov)])
        let big = whole.parts.filter { $0.area > 50e6 }
        #expect(big.count <= 3, "Iraqi government land in \(big.count) areas of 50 km² or more")
    }
}
