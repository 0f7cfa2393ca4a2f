import Foundation
import FrontlineData
import FrontlineRender
@testable import FrontlineServer
import FrontlineTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

/// One service on the shipped data for every route test: loading and the workers are made once.
enum Shared {
    static let service: MapService = {
        var warnings: [DataProblem] = []
        let dataset = try! Dataset.load(directory: Fixtures.geodata, warnings: &warnings)
        return try! MapService(dataset: dataset, workers: 2)
    }()

    static func app(_ service: MapService = Shared.service) throws -> some ApplicationProtocol {
        Application(router: try buildRouter(service: service))
    }
}

/// Runs the built `frontline` binary, to compare the API with the command line byte for byte.
enum FrontlineBinary {
    static var path: String {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("frontline").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        return Fixtures.repositoryRoot + "/.build/debug/frontline"
    }

    static func run(_ args: [String]) throws -> (status: Int32, stdout: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args + ["--data", Fixtures.geodata]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

/// Whether two JSON texts are the same document, numbers equal within `tolerance`: a builder that
/// has served other days dissolves the same pieces through other cached intermediate shapes, which
/// can move an area's last printed decimal (0.1 km² in 236,674 km²).
func sameJSON(_ a: String, _ b: String, tolerance: Double = 0.15) -> Bool {
    guard let x = try? JSONSerialization.jsonObject(with: Data(a.utf8)),
          let y = try? JSONSerialization.jsonObject(with: Data(b.utf8)) else { return false }
    func eq(_ x: Any, _ y: Any) -> Bool {
        switch (x, y) {
        case let (p as [String: Any], q as [String: Any]):
            return Set(p.keys) == Set(q.keys) && p.keys.allSatisfy { eq(p[$0]!, q[$0]!) }
        case let (p as [Any], q as [Any]):
            return p.count == q.count && zip(p, q).allSatisfy { eq($0, $1) }
        case let (p as String, q as String): return p == q
        case let (p as NSNumber, q as NSNumber): return abs(p.doubleValue - q.doubleValue) <= tolerance
        case (is NSNull, is NSNull): return true
        default: return false
        }
    }
    return eq(x, y)
}

func json(_ buffer: ByteBuffer) throws -> [String: Any] {
    let object = try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView))
    return try #require(object as? [String: Any])
}

/// The width and height in a PNG's IHDR chunk.
func pngSize(_ buffer: ByteBuffer) -> (Int, Int)? {
    let b = Array(buffer.readableBytesView)
    guard b.count > 24, b.starts(with: [0x89, 0x50, 0x4E, 0x47]) else { return nil }
    return (b[16..<20].reduce(0) { $0 << 8 | Int($1) }, b[20..<24].reduce(0) { $0 << 8 | Int($1) })
}

@Suite struct SameBytesAsTheCLITests {
    @Test func statsIsTheJSONOfStatsFormatJSON() async throws {
        let cli = try FrontlineBinary.run(["stats", "--date", "2017-11-19", "--format", "json"])
        #expect(cli.status == 0)
        try await Shared.app().test(.router) { client in
            try await client.execute(uri: "/api/stats?date=2017-11-19", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType] == "application/json; charset=utf-8")
                #expect(sameJSON(String(buffer: r.body), cli.stdout))
            }
        }
    }

    @Test func compareIsTheJSONReportOfCompare() async throws {
        let report = Fixtures.temporaryDirectory() + "/change.json"
        #expect(try FrontlineBinary.run(["compare", "2017-06-01", "2017-12-01", "--report", report]).status == 0)
        let expected = try String(contentsOfFile: report, encoding: .utf8)
        try await Shared.app().test(.router) { client in
            try await client.execute(uri: "/api/compare?from=2017-06-01&to=2017-12-01", method: .get) { r in
                #expect(r.status == .ok)
                #expect(sameJSON(String(buffer: r.body), expected))
                let changes = try #require(try json(r.body)["changes"] as? [[String: Any]])
                #expect(changes.contains { $0["name"] as? String == "Raqqa" })
            }
        }
    }

    @Test func territoryIsTheGeoJSONOfExport() async throws {
        let out = Fixtures.temporaryDirectory() + "/t.geojson"
        #expect(try FrontlineBinary.run(["export", "--date", "2016-06-30", "--out", out]).status == 0)
        let expected = try String(contentsOfFile: out, encoding: .utf8)
        try await Shared.app().test(.router) { client in
            try await client.execute(uri: "/api/territory?date=2016-06-30", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType] == "application/geo+json")
                // Same features and properties as `export`; the outlines themselves may differ by
                // a vertex where the server's builder reached them through other cached shapes.
                func properties(_ text: String) -> String {
                    let obj = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
                    let features = (obj?["features"] as? [[String: Any]]) ?? []
                    let props = features.map { f -> [String: Any] in
                        var p = (f["properties"] as? [String: Any]) ?? [:]
                        p["geometry_type"] = (f["geometry"] as? [String: Any])?["type"]
                        return p
                    }
                    let data = try? JSONSerialization.data(withJSONObject: ["date": obj?["date"] ?? "", "features": props])
                    return data.map { String(decoding: $0, as: UTF8.self) } ?? ""
                }
                #expect(!properties(expected).isEmpty)
                #expect(sameJSON(properties(String(buffer: r.body)), properties(expected)))
            }
        }
    }
}

@Suite struct MapEndpointTests {
    @Test func pngOfTheRequestedSize() async throws {
        try await Shared.app().test(.router) { client in
            try await client.execute(uri: "/api/map?date=2017-11-19&size=800x600", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType] == "image/png")
                #expect(pngSize(r.body).map { $0 == (800, 600) } == true)
            }
        }
    }

    @Test func svgAndPDFByFormat() async throws {
        try await Shared.app().test(.router) { client in
            try await client.execute(uri: "/api/map?date=2017-11-19&size=640x480&format=svg", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType] == "image/svg+xml")
                let text = String(buffer: r.body)
                #expect(text.contains("<svg") && text.hasSuffix("</svg>\n"))
            }
            try await client.execute(uri: "/api/map?date=2017-11-19&size=640x480&format=pdf", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType] == "application/pdf")
                #expect(String(buffer: r.body).hasPrefix("%PDF-"))
            }
        }
    }

    @Test func daysOfOneSnapshotDifferOnlyByTheirTitle() async throws {
        // 20 and 21 November 2017 share a snapshot: one drawn base, two titles.
        let service = Shared.service
        #expect(service.dataset.timeline.snapshot(on: try Day(iso: "2017-11-20")).controllers
                == service.dataset.timeline.snapshot(on: try Day(iso: "2017-11-21")).controllers)
        try await Shared.app().test(.router) { client in
            let a = try await client.execute(uri: "/api/map?date=2017-11-20&size=640x480", method: .get) { $0.body }
            let b = try await client.execute(uri: "/api/map?date=2017-11-21&size=640x480", method: .get) { $0.body }
            #expect(a != b)
            #expect(pngSize(a).map { $0 == (640, 480) } == true && pngSize(b).map { $0 == (640, 480) } == true)
        }
    }

    @Test func regionThemeLabelsAndCompareAreHonoured() async throws {
        try await Shared.app().test(.router) { client in
            var bodies: [ByteBuffer] = []
            for query in ["", "&panels=none", "&region=38,34,41,37", "&theme=colourblind", "&labels=both", "&compare=2017-06-01"] {
                try await client.execute(uri: "/api/map?date=2017-11-19&size=640x480" + query, method: .get) { r in
                    #expect(r.status == .ok, "\(query)")
                    bodies.append(r.body)
                }
            }
            #expect(Set(bodies.map { Array($0.readableBytesView) }).count == bodies.count, "every option changes the image")
        }
    }

    @Test func viewPlacesTownsOnTheImage() async throws {
        try await Shared.app().test(.router) { client in
            try await client.execute(uri: "/api/view?region=40,34,46,38&size=1000x800", method: .get) { r in
                #expect(r.status == .ok)
                let v = try json(r.body)
                let visible = try #require(v["visible"] as? [Double])
                // Mosul (43.13 E, 36.34 N) lies inside the region and therefore on the image.
                #expect(visible[0] <= 40.01 && visible[2] >= 45.99 && visible[1] <= 34.01 && visible[3] >= 37.99)
                let places = try #require(v["places"] as? [String: [Double]])
                let mosul = try #require(places["mosul"])
                #expect((0...1000).contains(mosul[0]) && (0...800).contains(mosul[1]))
                // Further east means further right; further north further up.
                let erbil = try #require(places["erbil"])
                #expect(erbil[0] > mosul[0])
            }
        }
    }
}

@Suite struct PlacesEndpointTests {
    @Test func everyPlaceWithItsControllerAndSource() async throws {
        try await Shared.app().test(.router) { client in
            try await client.execute(uri: "/api/places?date=2015-01-01", method: .get) { r in
                #expect(r.status == .ok)
                let body = try json(r.body)
                #expect(body["date"] as? String == "2015-01-01")
                let places = try #require(body["places"] as? [[String: Any]])
                #expect(places.count == Shared.service.dataset.gazetteer.places.count)
                let mosul = try #require(places.first { $0["id"] as? String == "mosul" })
                #expect(Set(mosul.keys) == ["id", "name", "name_ar", "lat", "lon", "controller", "since", "source"])
                #expect(mosul["controller"] as? String == "isis")
                #expect(mosul["name_ar"] as? String == "الموصل")
                #expect((mosul["source"] as? String)?.hasPrefix("http") == true)
                #expect((mosul["since"] as? String).map { $0 <= "2015-01-01" } == true)
            }
        }
    }

    @Test func oneTownsWholeHistoryWithSources() async throws {
        try await Shared.app().test(.router) { client in
            try await client.execute(uri: "/api/places/mosul", method: .get) { r in
                #expect(r.status == .ok)
                let body = try json(r.body)
                #expect(body["name"] as? String == "Mosul")
                let history = try #require(body["history"] as? [[String: Any]])
                #expect(history.count == Shared.service.dataset.timeline.events(for: "mosul").count)
                #expect(history.count >= 2)
                #expect(history.allSatisfy { ($0["source"] as? String)?.hasPrefix("http") == true })
                #expect(history.map { $0["controller"] as? String }.contains("isis"))
            }
        }
    }
}

@Suite struct ErrorTests {
    /// Every bad input: 400, one line of JSON naming the parameter.
    @Test(arguments: [
        ("/api/map?date=2017-02-30", "date"),
        ("/api/map?date=2030-01-01", "date"),
        ("/api/map?date=yesterday", "date"),
        ("/api/map", "date"),
        ("/api/map?date=2017-11-19&region=1,2,3", "region"),
        ("/api/map?date=2017-11-19&region=10,10,11,11", "region"),
        ("/api/map?date=2017-11-19&region=44,33,44.01,33.01", "region"),
        ("/api/map?date=2017-11-19&region=narnia", "region"),
        ("/api/map?date=2017-11-19&size=10x10", "size"),
        ("/api/map?date=2017-11-19&size=big", "size"),
        ("/api/map?date=2017-11-19&size=9000x9000", "size"),
        ("/api/map?date=2017-11-19&format=gif", "format"),
        ("/api/map?date=2017-11-19&theme=neon", "theme"),
        ("/api/map?date=2017-11-19&labels=fr", "labels"),
        ("/api/map?date=2017-11-19&panels=some", "panels"),
        ("/api/map?date=2017-11-19&compare=2017-13-01", "compare"),
        ("/api/map?date=2017-11-19&zoom=3", "zoom"),
        ("/api/map?date=2017-11-19&date=2017-11-20", "date"),
        ("/api/places?date=", "date"),
        ("/api/places/atlantis", "id"),
        ("/api/places/..%2F..%2Fetc%2Fpasswd", "id"),
        ("/api/stats?date=2013-12-31", "date"),
        ("/api/compare?from=2017-06-01", "to"),
        ("/api/compare?from=2017-06-01&to=2019-04-01", "to"),
        ("/api/territory?date=2017-11-31", "date"),
        ("/api/view?size=100x100", "size"),
        ("/api/meta?x=1", "x"),
    ])
    func badInputIs400NamingTheParameter(uri: String, parameter: String) async throws {
        try await Shared.app().test(.router) { client in
            try await client.execute(uri: uri, method: .get) { r in
                #expect(r.status == .badRequest, "\(uri)")
                let text = String(buffer: r.body)
                #expect(text.hasSuffix("}\n") && text.dropLast().contains("\n") == false, "one line: \(text)")
                let body = try json(r.body)
                #expect(body["parameter"] as? String == parameter, "\(uri): \(text)")
                #expect((body["error"] as? String)?.isEmpty == false)
            }
        }
    }

    @Test func outOfRangeDateSaysWhatTheDataCovers() async throws {
        try await Shared.app().test(.router) { client in
            try await client.execute(uri: "/api/stats?date=2030-01-01", method: .get) { r in
                let body = try json(r.body)
                #expect(body["error"] as? String == "2030-01-01 is outside the data, which covers 2014-01-01 to 2019-03-31")
            }
        }
    }

    @Test(arguments: ["/api/nothing", "/nothing", "/api", "/index.html/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
                      "/..%2f..%2fetc%2fpasswd", "/Public/app.js", "/api/places/mosul/history"])
    func unknownPathsAre404AndReachNoFile(uri: String) async throws {
        try await Shared.app().test(.router) { client in
            try await client.execute(uri: uri, method: .get) { r in
                #expect(r.status == .notFound, "\(uri)")
                let text = String(buffer: r.body)
                #expect(!text.contains("root:"))
                let body = try json(r.body)
                #expect(body["error"] as? String != nil)
            }
        }
    }

    @Test func otherMethodsAreRefused() async throws {
        try await Shared.app().test(.router) { client in
            try await client.execute(uri: "/api/stats?date=2017-11-19", method: .post) { r in
                #expect(r.status == .notFound || r.status == .methodNotAllowed)
            }
        }
    }
}

@Suite struct CacheHeaderTests {
    @Test func dateAnswersCarryAnETagAndRevalidateTo304() async throws {
        try await Shared.app().test(.router) { client in
            for uri in ["/api/stats?date=2017-11-19", "/api/places?date=2017-11-19", "/api/map?date=2017-11-19&size=640x480",
                        "/api/places/raqqa", "/api/territory?date=2017-11-19", "/api/compare?from=2017-06-01&to=2017-12-01", "/"] {
                let tag = try await client.execute(uri: uri, method: .get) { r -> String? in
                    #expect(r.status == .ok, "\(uri)")
                    return r.headers[.eTag]
                }
                let etag = try #require(tag, "\(uri) has an ETag")
                try await client.execute(uri: uri, method: .get, headers: [.ifNoneMatch: etag]) { r in
                    #expect(r.status == .notModified, "\(uri)")
                    #expect(r.body.readableBytes == 0)
                    #expect(r.headers[.eTag] == etag)
                }
                try await client.execute(uri: uri, method: .get, headers: [.ifNoneMatch: "\"other\""]) { r in
                    #expect(r.status == .ok, "\(uri)")
                }
            }
        }
    }

    @Test func anotherDayHasAnotherETag() async throws {
        try await Shared.app().test(.router) { client in
            let a = try await client.execute(uri: "/api/stats?date=2017-11-19", method: .get) { $0.headers[.eTag] }
            let b = try await client.execute(uri: "/api/stats?date=2017-11-20", method: .get) { $0.headers[.eTag] }
            #expect(a != nil && b != nil && a != b)
        }
    }
}

@Suite struct PageTests {
    @Test(arguments: [("/", "text/html; charset=utf-8", "id=\"map-img\""),
                      ("/app.js", "text/javascript; charset=utf-8", "/api/map?"),
                      ("/style.css", "text/css; charset=utf-8", ".map")])
    func pageFilesAreServed(uri: String, type: String, contains: String) async throws {
        try await Shared.app().test(.router) { client in
            try await client.execute(uri: uri, method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType] == type)
                #expect(String(buffer: r.body).contains(contains))
            }
        }
    }

    @Test func metaGivesCoverageAndFactionColours() async throws {
        try await Shared.app().test(.router) { client in
            try await client.execute(uri: "/api/meta", method: .get) { r in
                let m = try json(r.body)
                #expect(m["from"] as? String == "2014-01-01" && m["to"] as? String == "2019-03-31")
                let factions = try #require(m["factions"] as? [[String: Any]])
                #expect(factions.contains { $0["id"] as? String == "isis" })
            }
        }
    }
}

@Suite struct BoundedCacheTests {
    @Test func cachesStayWithinTheirBoundsWhileDaysGoBy() async throws {
        var limits = CacheLimits()
        limits.territories = 3
        limits.baseBytes = 2 * 640 * 480 * 4
        limits.responseBytes = 1 << 20
        var warnings: [DataProblem] = []
        let dataset = try Dataset.load(directory: Fixtures.geodata, warnings: &warnings)
        let service = try MapService(dataset: dataset, workers: 1, limits: limits)
        var day = try Day(iso: "2017-09-01")
        for _ in 0..<8 {
            _ = try await service.map(MapRequest(day: day, size: Size(640, 480)))
            day = day.adding(days: 9)
        }
        #expect(service.territories.count <= 3)
        #expect(service.bases.totalCost <= limits.baseBytes)
        #expect(service.responses.totalCost <= limits.responseBytes)
        #expect(service.territories.misses >= 4, "distinct snapshots were derived, not served stale")
    }

    @Test func aKeyComputedOnceForConcurrentCallers() async throws {
        let cache = BoundedCache<Int, Int>(maxCount: 4)
        let counter = Counter()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    _ = try? cache.value(for: 1) { counter.increment(); Thread.sleep(forTimeInterval: 0.05); return (42, 1) }
                }
            }
        }
        #expect(counter.value == 1)
        #expect(cache.cached(1) == 42)
    }

    @Test func leastRecentlyUsedGoesFirst() throws {
        let cache = BoundedCache<String, Int>(maxCount: 10, maxCost: 10)
        _ = try cache.value(for: "a") { (1, 4) }
        _ = try cache.value(for: "b") { (2, 4) }
        _ = cache.cached("a")
        _ = try cache.value(for: "c") { (3, 4) }
        #expect(cache.cached("a") == 1)
        #expect(cache.cached("b") == nil)
        #expect(cache.cached("c") == 3)
        #expect(cache.totalCost == 8)
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func increment() { lock.lock(); n += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return n }
}
