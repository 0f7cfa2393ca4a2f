import Foundation
import Testing
import FrontlineTestSupport
@testable import FrontlineData

/// Feeds random and mutated files to the loaders: they must throw or succeed, never crash.
@Suite struct FuzzTests {
    static let alphabet = Array("abc,\"\n\r\t 0123456789-.:/{}[]\\é\u{0627}".utf8)

    func mutate(_ bytes: [UInt8], _ rng: inout SeededRandom) -> [UInt8] {
        var b = bytes
        for _ in 0..<Int.random(in: 1...8, using: &rng) {
            guard !b.isEmpty else { break }
            let i = Int.random(in: 0..<b.count, using: &rng)
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: b[i] = Self.alphabet.randomElement(using: &rng)!
            case 1: b.remove(at: i)
            case 2: b.insert(Self.alphabet.randomElement(using: &rng)!, at: i)
            default: b = Array(b[..<i])
            }
        }
        return b
    }

    @Test func csvParserSurvivesRandomInput() {
        var rng = SeededRandom(seed: 1)
        for _ in 0..<3000 {
            let n = Int.random(in: 0..<200, using: &rng)
            let bytes = (0..<n).map { _ in Self.alphabet.randomElement(using: &rng)! }
            _ = try? CSVTable.parse(String(decoding: bytes, as: UTF8.self), file: "fuzz.csv")
        }
    }

    @Test func geoJSONParserSurvivesMutations() throws {
        var rng = SeededRandom(seed: 2)
        let seed = Array(try Data(contentsOf: URL(fileURLWithPath: Fixtures.mini + "/basemap/countries.geojson")))
        var failures = 0
        for _ in 0..<1500 {
            do { _ = try GeoJSON.parseFeatures(Data(mutate(seed, &rng)), file: "fuzz.geojson") } catch { failures += 1 }
        }
        #expect(failures > 0)
    }

    @Test func datasetLoaderSurvivesMutatedFiles() throws {
        var rng = SeededRandom(seed: 3)
        let files = ["places.csv", "factions.csv", "timeline/events.csv", "dataset.json", "basemap/lakes.geojson"]
        var rejected = 0
        for round in 0..<120 {
            let dir = try Fixtures.copyOfMini()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let file = dir + "/" + files[round % files.count]
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
            try Data(mutate(bytes, &rng)).write(to: URL(fileURLWithPath: file))
            var w: [DataProblem] = []
            do {
                let ds = try Dataset.load(directory: dir, warnings: &w)
                _ = ds.timeline.snapshot(on: try Day(iso: "2017-06-15"))
                _ = ds.lint()
            } catch let e as DataProblems {
                rejected += 1
                #expect(!e.problems.isEmpty)
            }
        }
        #expect(rejected > 20)
    }

    @Test func fileBytesReadsEmptyAndLargeFilesAndRefusesFolders() throws {
        let dir = Fixtures.temporaryDirectory()
        FileManager.default.createFile(atPath: dir + "/empty", contents: Data())
        #expect(FileBytes.read(dir + "/empty") == Data())
        let big = Data((0..<100_000).map { UInt8($0 % 251) })
        try big.write(to: URL(fileURLWithPath: dir + "/big"))
        #expect(FileBytes.read(dir + "/big") == big)
        #expect(FileBytes.read(dir) == nil)
        #expect(FileBytes.read(dir + "/missing") == nil)
    }

    /// Every input the libFuzzer harnesses found (Tests/Fixtures/fuzz/dataset), replayed the way
    /// Fuzz/dataset.swift feeds it: the first byte picks the file of the fixture the rest replaces.
    @Test func inputsTheFuzzerFoundStillLoadOrFailCleanly() throws {
        let files = ["places.csv", "factions.csv", "timeline/events.csv", "sieges/mini.csv", "dataset.json",
                     "basemap/countries.geojson", "basemap/lakes.geojson", "zones.csv"]
        let folder = Fixtures.repositoryRoot + "/Tests/Fixtures/fuzz/dataset"
        let inputs = try FileManager.default.contentsOfDirectory(atPath: folder)
        #expect(!inputs.isEmpty)
        for input in inputs {
            let bytes = try #require(FileBytes.read(folder + "/" + input))
            guard let first = bytes.first else { continue }
            let dir = try Fixtures.copyOfMini()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            try bytes.dropFirst().write(to: URL(fileURLWithPath: dir + "/" + files[Int(first) % files.count]))
            var w: [DataProblem] = []
            do { _ = try Dataset.load(directory: dir, warnings: &w).lint() } catch let e as DataProblems {
                #expect(!e.problems.isEmpty, "\(input)")
            }
        }
    }
}
