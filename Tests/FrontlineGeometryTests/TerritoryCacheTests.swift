import Foundation
import Testing
import FrontlineTestSupport
import FrontlineData
@testable import FrontlineGeometry

/// The on-disk cache must give exactly what computing afresh gives, and never trust a file it
/// did not write whole for the same inputs.
@Suite struct TerritoryCacheTests {
    let dataset: Dataset
    init() throws {
        var w: [DataProblem] = []
        dataset = try Dataset.load(directory: Fixtures.mini, warnings: &w)
    }

    func freshFolder() -> String { Fixtures.temporaryDirectory() + "/cache" }

    func entries(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".bin") }.sorted()
    }

    /// Areas, places and vertex counts of every part, rounded to 1 m²: what a reader of the cache sees.
    func summary(_ t: Territory) -> [String] {
        t.parts.map { p in
            "\(p.controller) \(String(format: "%.6f", p.areaKm2)) \(String(format: "%.6f", p.hinterlandKm2)) "
                + "\(p.population) \(p.places) \(p.polygons.flatMap { $0 }.map(\.count)) \(p.hinterland.flatMap { $0 }.map(\.count))"
        }
    }

    /// Basemap layers parsed once are read back from the cache as the same features, for the
    /// shipped basemap too; an entry that does not check out is parsed again.
    @Test func parsedBasemapFromTheCacheEqualsTheParsedFiles() throws {
        for data in [Fixtures.mini, Fixtures.geodata] {
            let dir = freshFolder()
            var w: [DataProblem] = []
            let plain = try Dataset.load(directory: data, warnings: &w)
            let cache = try TerritoryCache(dataDirectory: data, directory: dir)
            let first = try Dataset.load(directory: data, warnings: &w, parseCache: cache)
            let kept = entries(dir).filter { $0.hasPrefix("basemap-") }
            #expect(kept.count >= 4, "\(data): \(kept)")
            let second = try Dataset.load(directory: data, warnings: &w, parseCache: cache)
            for ds in [first, second] {
                for (a, b) in [(ds.atlas.countries, plain.atlas.countries), (ds.atlas.governorates, plain.atlas.governorates),
                               (ds.atlas.rivers, plain.atlas.rivers), (ds.atlas.lakes, plain.atlas.lakes),
                               (ds.atlas.sparse, plain.atlas.sparse)] {
                    #expect(a.map(\.geometry) == b.map(\.geometry))
                    #expect(a.map(\.properties) == b.map(\.properties))
                }
            }
            // Truncate every entry: the load parses the files again and gives the same layers.
            for e in kept { truncate(dir + "/" + e, 100) }
            let third = try Dataset.load(directory: data, warnings: &w, parseCache: cache)
            #expect(third.atlas.countries.map(\.geometry) == plain.atlas.countries.map(\.geometry))
            #expect(third.atlas.rivers.map(\.properties) == plain.atlas.rivers.map(\.properties))
        }
    }

    @Test func cachedTerritoryEqualsComputedTerritory() throws {
        let dir = freshFolder()
        let day = try Day(iso: "2017-06-05")
        let snapshot = dataset.timeline.snapshot(on: day)
        let plain = try TerritoryBuilder(dataset: dataset).build(snapshot)
        let cache = try TerritoryCache(dataset: dataset, directory: dir)
        let cold = try TerritoryBuilder(dataset: dataset, cache: cache).build(snapshot)
        #expect(entries(dir).contains { $0.hasPrefix("cells-") })
        #expect(entries(dir).contains { $0.hasPrefix("territory-") })
        // A new builder (a new run) reads the territory back instead of computing it.
        let warm = try TerritoryBuilder(dataset: dataset, cache: cache).build(snapshot)
        #expect(summary(cold) == summary(plain))
        #expect(summary(warm) == summary(plain))
        #expect(warm.parts.map(\.polygons) == plain.parts.map(\.polygons))
        // Another day with the same places reuses the cells and still matches.
        let other = dataset.timeline.snapshot(on: try Day(iso: "2017-09-02"))
        let fromCells = try TerritoryBuilder(dataset: dataset, cache: cache).build(other)
        #expect(summary(fromCells) == summary(try TerritoryBuilder(dataset: dataset).build(other)))
        let areas = try TerritoryBuilder(dataset: dataset, cache: cache).tierAreas(other)
        let again = try TerritoryBuilder(dataset: dataset, cache: cache).tierAreas(other)
        #expect(areas.held == again.held && areas.hinterland == again.hinterland)
        #expect(areas.held == (try TerritoryBuilder(dataset: dataset).tierAreas(other)).held)
    }

    @Test func corruptOrTruncatedEntriesAreIgnoredAndRebuilt() throws {
        let dir = freshFolder()
        let snapshot = dataset.timeline.snapshot(on: try Day(iso: "2017-06-05"))
        let cache = try TerritoryCache(dataset: dataset, directory: dir)
        let good = summary(try TerritoryBuilder(dataset: dataset, cache: cache).build(snapshot))
        let names = entries(dir)
        #expect(names.count >= 2)
        for (i, name) in names.enumerated() {
            let path = dir + "/" + name
            var bytes = [UInt8](FileManager.default.contents(atPath: path)!)
            switch i % 3 {
            case 0: bytes = Array(bytes.prefix(bytes.count / 2))          // truncated
            case 1: bytes[bytes.count - 10] ^= 0xFF                       // one flipped byte
            default: bytes = Array(repeating: 0x41, count: 100)           // garbage
            }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            #expect(cache.read(String(name.dropLast(4))) == nil, "\(name) was trusted after damage")
        }
        #expect(summary(try TerritoryBuilder(dataset: dataset, cache: cache).build(snapshot)) == good)
        // Rebuilt entries are whole again.
        for name in entries(dir) { #expect(cache.read(String(name.dropLast(4))) != nil) }
    }

    @Test func anEntryUnderAnotherNameIsNotTrusted() throws {
        let dir = freshFolder()
        let cache = try TerritoryCache(dataset: dataset, directory: dir)
        let a = cache.key("territory", ["a"]), b = cache.key("territory", ["b"])
        cache.write(a, [1, 2, 3])
        #expect(cache.read(a) == [1, 2, 3])
        try FileManager.default.copyItem(atPath: dir + "/" + a + ".bin", toPath: dir + "/" + b + ".bin")
        #expect(cache.read(b) == nil)
    }

    @Test func changedInputsGiveNewKeys() throws {
        let copy = Fixtures.temporaryDirectory() + "/mini"
        try FileManager.default.copyItem(atPath: Fixtures.mini, toPath: copy)
        var w: [DataProblem] = []
        let before = try TerritoryCache(dataset: try Dataset.load(directory: copy, warnings: &w), directory: freshFolder())
        let places = copy + "/places.csv"
        let text = try String(contentsOfFile: places, encoding: .utf8)
        try text.replacingOccurrences(of: "34.0,40.5", with: "34.1,40.5").write(toFile: places, atomically: true, encoding: .utf8)
        let after = try TerritoryCache(dataset: try Dataset.load(directory: copy, warnings: &w), directory: freshFolder())
        #expect(before.key("cells", ["west-town"]) != after.key("cells", ["west-town"]))
        #expect(before.key("cells", ["west-town"]) != before.key("cells", ["east-town"]))
    }

    @Test func unsafeFoldersAreRefused() throws {
        let base = Fixtures.temporaryDirectory()
        let target = base + "/real"
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: base + "/link", withDestinationPath: target)
        #expect(throws: CacheProblem.self) { try TerritoryCache(dataset: dataset, directory: base + "/link") }
        let open = base + "/open"
        try FileManager.default.createDirectory(atPath: open, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o777])
        chmod(open, 0o777)
        #expect(throws: CacheProblem.self) { try TerritoryCache(dataset: dataset, directory: open) }
        try "x".write(toFile: base + "/file", atomically: true, encoding: .utf8)
        #expect(throws: CacheProblem.self) { try TerritoryCache(dataset: dataset, directory: base + "/file") }
        // A new folder is created private to the user, parents included.
        let fresh = base + "/a/b/frontline"
        _ = try TerritoryCache(dataset: dataset, directory: fresh)
        let mode = (try FileManager.default.attributesOfItem(atPath: fresh)[.posixPermissions] as? Int) ?? 0
        #expect(mode & 0o077 == 0)
    }

    @Test func concurrentWritersNeverLeaveABrokenEntry() throws {
        let dir = freshFolder()
        let cache = try TerritoryCache(dataset: dataset, directory: dir)
        let key = cache.key("territory", ["race"])
        let payloads = (0..<8).map { i in [UInt8](repeating: UInt8(i), count: 200_000 + i) }
        DispatchQueue.concurrentPerform(iterations: 64) { i in
            cache.write(key, payloads[i % 8])
            if let got = cache.read(key) { precondition(payloads.contains(got)) }
        }
        let final = try #require(cache.read(key))
        #expect(payloads.contains(final))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix(".tmp-") }
        #expect(leftovers.isEmpty)
    }

    @Test func pruneKeepsTheFolderUnderItsLimit() throws {
        let dir = freshFolder()
        let cache = try TerritoryCache(dataset: dataset, directory: dir, byteLimit: 1_000_000)
        for i in 0..<30 { cache.write(cache.key("territory", ["\(i)"]), [UInt8](repeating: 7, count: 100_000)) }
        cache.prune()
        let total = entries(dir).reduce(0) { $0 + ((try? FileManager.default.attributesOfItem(atPath: dir + "/" + $1)[.size] as? Int) ?? 0) }
        #expect(total <= 1_000_000)
        #expect(entries(dir).count >= 5)
    }
}
