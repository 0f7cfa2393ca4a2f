import Foundation
import Testing
import FrontlineTestSupport
@testable import FrontlineData

@Suite struct LoaderTests {
    func load(_ dir: String) throws -> Dataset {
        var w: [DataProblem] = []
        return try Dataset.load(directory: dir, warnings: &w)
    }

    func problems(after edit: (String) throws -> Void) throws -> [String] {
        let dir = try Fixtures.copyOfMini()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try edit(dir)
        do {
            _ = try load(dir)
            return []
        } catch let e as DataProblems {
            return e.problems.map { $0.description.replacingOccurrences(of: dir + "/", with: "") }
        }
    }

    @Test func loadsTheFixture() throws {
        let ds = try load(Fixtures.mini)
        #expect(ds.gazetteer.places.count == 3)
        #expect(ds.timeline.events.count == 8)
        #expect(ds.factions.themes == ["wikipedia", "colourblind"])
        #expect(ds.info.coverageFrom.iso == "2017-01-01")
        #expect(ds.timeline.events.last?.note == "handed over, by agreement")
    }

    @Test func unknownPlaceAndFactionAreReportedWithFileAndLine() throws {
        let p = try problems { dir in
            try Fixtures.append("2017-10-01,atlantis,isis,https://x.org,", to: dir + "/timeline/events.csv")
            try Fixtures.append("2017-10-02,west-town,martians,https://x.org,", to: dir + "/timeline/events.csv")
        }
        #expect(p.count == 2)
        #expect(p[0].hasPrefix("timeline/events.csv:10: unknown place 'atlantis'"))
        #expect(p[1].hasPrefix("timeline/events.csv:11: unknown controller 'martians'"))
    }

    /// `unheld` ends a zone (a cleared desert pocket); a town cannot be unheld.
    @Test func onlyAZoneCanBecomeUnheld() throws {
        let p = try problems { dir in
            try Fixtures.append("2017-10-01,west-town,unheld,https://x.org,", to: dir + "/timeline/events.csv")
        }
        #expect(p == ["timeline/events.csv:10: only a zone can become 'unheld'; a place is held by someone or contested"])
    }

    @Test func everyProblemIsListedNotOnlyTheFirst() throws {
        let p = try problems { dir in
            let f = dir + "/timeline/events.csv"
            try Fixtures.append("2017-02-30,west-town,isis,https://x.org,", to: f)
            try Fixtures.append("2017-10-01,west-town,isis,,", to: f)
            try Fixtures.append("2017-10-05,east-town,isis,https://x.org,", to: f)
            try Fixtures.append("2017-10-05,east-town,sdf,https://x.org,", to: f)
            try Fixtures.append("2017-10-06,east-town,sdf,https://x.org,too,many,fields", to: f)
        }
        #expect(p == [
            "timeline/events.csv:10: '2017-02-30' is not a real calendar date",
            "timeline/events.csv:11: event for 'west-town' on 2017-10-01 has no source URL",
            "timeline/events.csv:13: 'east-town' changes hands twice on 2017-10-05 (first at line 12) without a note",
            "timeline/events.csv:14: expected 5 fields, found 7; quote fields that contain commas",
        ])
    }

    /// One malformed zone row is one error, not also an "unknown place" for every event about it.
    @Test func aBadZoneRowIsOneError() throws {
        let found = try problems { dir in
            try """
            id,name,country,lat,lon,area_km2,source,note,path,width_km
            strip,Desert strip,SY,,,1200,https://example.org/strip,,34.0 40.3; 34.5 40.3,wide
            """.write(toFile: dir + "/zones.csv", atomically: true, encoding: .utf8)
            try Fixtures.append("2017-08-01,strip,isis,https://example.org/p1,", to: dir + "/timeline/events.csv")
        }
        #expect(found == ["zones.csv:2: zone 'strip': a corridor needs width_km, a positive number up to 500"], "\(found)")
    }

    @Test func malformedPlacesRowsAreRejected() throws {
        let p = try problems { dir in
            try Fixtures.append("bad-place,Bad,,north,40,SY,0,", to: dir + "/places.csv")
            try Fixtures.append("West Town,Dup,,34,40,SY,0,", to: dir + "/places.csv")
        }
        #expect(p.contains { $0.hasPrefix("places.csv:5: place 'bad-place': lat/lon must be decimal degrees") })
        #expect(p.contains { $0.hasPrefix("places.csv:6: place id 'West Town' must be a lowercase slug") })
    }

    @Test func malformedGeoJSONIsAnErrorNotACrash() throws {
        let p = try problems { dir in
            try "{\"type\": \"FeatureCollection\", \"features\": [ {\"type\": \"Feature\", \"geometry\": {\"type\": \"Polygon\", \"coordinates\": [[[40, 33], [41, 33], [40, 33]]]}}]}"
                .write(toFile: dir + "/basemap/lakes.geojson", atomically: true, encoding: .utf8)
            try "{\"type\": \"FeatureCollection\",\n \"features\": [ oops ]}".write(toFile: dir + "/basemap/rivers.geojson", atomically: true, encoding: .utf8)
        }
        #expect(p.contains { $0 == "basemap/lakes.geojson: feature 1: a line needs at least 4 positions" })
        #expect(p.contains { $0.hasPrefix("basemap/rivers.geojson") && $0.contains("not valid JSON") })
    }

    /// The typed decoder that reads well-formed GeoJSON quickly gives the features the general
    /// parser gives, on every shipped basemap layer and on properties of every JSON kind.
    @Test func typedGeoJSONDecoderAgreesWithTheGeneralParser() throws {
        var files: [(String, Data)] = try ["countries", "governorates", "rivers", "lakes", "sparse"].map { layer in
            (layer, try Data(contentsOf: URL(fileURLWithPath: Fixtures.geodata + "/basemap/\(layer).geojson")))
        }
        files.append(("kinds", Data("""
        {"type":"FeatureCollection","features":[{"type":"Feature","properties":{"s":"x","i":3,"d":2.5,"e":1e3,"f":3.0,"b":true,"n":null,"a":[1]},
         "geometry":{"type":"Point","coordinates":[40.5,33]}},{"type":"Feature","properties":null,"geometry":null},
         {"type":"Feature","geometry":{"type":"LineString","coordinates":[[40,33],[41,34.25]]}}]}
        """.utf8)))
        for (name, data) in files {
            let typed = try #require(try? JSONDecoder().decode(GeoJSON.TypedCollection.self, from: data).geoFeatures(), "\(name)")
            let general = try GeoJSON.parseGeneral(data, file: name)
            #expect(typed.count == general.count, "\(name)")
            #expect(typed.map(\.geometry) == general.map(\.geometry), "\(name)")
            #expect(typed.map(\.properties) == general.map(\.properties), "\(name)")
            if name == "kinds" {
                #expect(general.first?.properties == ["s": "x", "i": "3", "d": "2.5", "e": "1000", "f": "3", "b": "1"])
            }
        }
    }

    @Test func missingFolderIsOneClearProblem() {
        #expect {
            try load("/nonexistent/frontline-data")
        } throws: { e in
            (e as? DataProblems)?.problems.first?.message.contains("no such data folder") == true
        }
    }
}
