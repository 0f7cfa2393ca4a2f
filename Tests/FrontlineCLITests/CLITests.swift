import Foundation
import Testing
import FrontlineTestSupport

/// Runs the built `frontline` binary as a user would.
struct CLI {
    static var binary: String {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("frontline").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        return Fixtures.repositoryRoot + "/.build/debug/frontline"
    }

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static let cacheHome = Fixtures.temporaryDirectory("frontline-cli-cache")

    static func run(_ args: [String], cwd: String? = nil, env: [String: String] = [:]) throws -> Result {
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "FRONTLINE_DATA")
        // The territory cache of the tests' own, never the user's.
        environment["XDG_CACHE_HOME"] = CLI.cacheHome
        for (k, v) in env { environment[k] = v }
        return try process(binary, args, cwd: cwd ?? Fixtures.repositoryRoot, environment: environment)
    }

    /// Runs a program to its end, collecting its output; `environment` nil inherits this one's.
    static func process(_ executable: String, _ args: [String], cwd: String?, environment: [String: String]?) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = args
        if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        if let environment { p.environment = environment }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                      stderr: String(decoding: e, as: UTF8.self))
    }
}

@Suite struct CLICacheTests {
    @Test func aSecondRenderReadsTheCacheAndDrawsTheSameMap() throws {
        let home = Fixtures.temporaryDirectory()
        let a = Fixtures.temporaryDirectory() + "/a.png", b = Fixtures.temporaryDirectory() + "/b.png"
        let c = Fixtures.temporaryDirectory() + "/c.png"
        let args = ["render", "--data", Fixtures.mini, "--date", "2017-06-05", "--size", "640x480"]
        #expect(try CLI.run(args + ["--out", a], env: ["XDG_CACHE_HOME": home]).status == 0)
        let entries = try FileManager.default.contentsOfDirectory(atPath: home + "/frontline")
        #expect(entries.contains { $0.hasPrefix("territory-") })
        #expect(entries.contains { $0.hasPrefix("layers-") }, "the static layers are kept")
        #expect(entries.contains { $0.hasPrefix("basemap-") }, "the parsed basemap is kept")
        #expect(try CLI.run(args + ["--out", b], env: ["XDG_CACHE_HOME": home]).status == 0)
        #expect(FileManager.default.contents(atPath: a) == FileManager.default.contents(atPath: b))
        // --no-cache neither reads nor writes it.
        let none = Fixtures.temporaryDirectory()
        #expect(try CLI.run(args + ["--out", c, "--no-cache"], env: ["XDG_CACHE_HOME": none]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: none + "/frontline"))
        // Drawn directly instead of painted from the kept layers: the same map but for 8-bit
        // rounding at the edges of lines.
        let same = try ImageComparison.compare(actual: c, expected: a, channelTolerance: 3, diffPath: home + "/diff.png")
        #expect(same.differingPixels == 0, "\(same)")
    }

    @Test func anUnusableCacheFolderIsANoteNotAFailure() throws {
        let home = Fixtures.temporaryDirectory()
        try "not a folder".write(toFile: home + "/frontline", atomically: true, encoding: .utf8)
        let out = Fixtures.temporaryDirectory() + "/map.png"
        let r = try CLI.run(["render", "--data", Fixtures.mini, "--date", "2017-06-05", "--size", "640x480", "--out", out],
                            env: ["XDG_CACHE_HOME": home])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("without the territory cache"))
        #expect(FileManager.default.fileExists(atPath: out))
    }
}

@Suite struct CLIGoodInputTests {
    @Test func renderWritesAPNGOfTheRequestedSize() throws {
        let out = Fixtures.temporaryDirectory() + "/map.png"
        let r = try CLI.run(["render", "--date", "2017-11-19", "--out", out, "--size", "1000x750"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(ImageComparison.pngSize(out).map { $0 == (1000, 750) } == true)
    }

    @Test func renderWritesSVGAndPDFByExtension() throws {
        let dir = Fixtures.temporaryDirectory()
        for ext in ["svg", "pdf"] {
            let r = try CLI.run(["render", "--date", "2017-10-17", "--region", "syria", "--labels", "both", "--out", "\(dir)/m.\(ext)"])
            #expect(r.status == 0, "\(r.stderr)")
        }
        #expect(try String(contentsOfFile: dir + "/m.svg", encoding: .utf8).contains("<svg"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/m.pdf")).starts(with: Array("%PDF".utf8)))
    }

    @Test func statsJSONHasTheContractShape() throws {
        let r = try CLI.run(["stats", "--date", "2017-11-19", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(obj["date"] as? String == "2017-11-19")
        #expect(Set(obj.keys) == ["date", "factions"])
        let factions = try #require(obj["factions"] as? [[String: Any]])
        #expect(factions.count >= 5)
        for f in factions {
            // The shape of before the tiers, plus the hinterland beside the held area.
            #expect(Set(f.keys) == ["id", "name", "area_km2", "hinterland_km2", "population", "places"])
            #expect(f["area_km2"] is Double || f["area_km2"] is Int)
            #expect(f["hinterland_km2"] is Double || f["hinterland_km2"] is Int)
            #expect(f["population"] is Int && f["places"] is Int)
        }
        let ids = factions.compactMap { $0["id"] as? String }
        #expect(ids.contains("isis") && ids.contains("iraq_gov") && ids.contains("sdf"))
    }

    @Test func statsTableAndCSV() throws {
        let t = try CLI.run(["stats", "--date", "2017-11-19"])
        #expect(t.status == 0 && t.stdout.contains("Islamic State") && t.stdout.contains("Area km²"))
        let c = try CLI.run(["stats", "--date", "2017-11-19", "--format", "csv"])
        #expect(c.stdout.hasPrefix("date,id,name,area_km2,hinterland_km2,total_km2,population,hinterland_population,places\n"))
        #expect(t.stdout.contains("Hinterland"))
    }

    @Test func controlListsEveryPlace() throws {
        let r = try CLI.run(["control", "--date", "2017-11-19"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.first == "id,name,lat,lon,controller,since,source,besieged_by")
        let places = try String(contentsOfFile: Fixtures.geodata + "/places.csv", encoding: .utf8).split(separator: "\n").count - 1
        #expect(lines.count - 1 == places)
        #expect(lines.contains { $0.hasPrefix("mosul,") && $0.contains(",iraq_gov,") })
        let j = try CLI.run(["control", "--date", "2017-11-19", "--format", "json"])
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as? [String: Any])
        #expect((obj["places"] as? [Any])?.count == places)
        // Deir ez-Zor's air base under the ISIS siege.
        let besieged = try CLI.run(["control", "--date", "2016-06-01"])
        #expect(besieged.stdout.split(separator: "\n").contains { $0.hasPrefix("deir-ez-zor-airport,") && $0.hasSuffix(",isis") })
        let bj = try CLI.run(["control", "--date", "2016-06-01", "--format", "json"])
        let bobj = try #require(try JSONSerialization.jsonObject(with: Data(bj.stdout.utf8)) as? [String: Any])
        let airport = try #require((bobj["places"] as? [[String: Any]])?.first { $0["id"] as? String == "deir-ez-zor-airport" })
        #expect((airport["siege"] as? [String: Any])?["besieger"] as? String == "isis")
    }

    @Test func exportWritesOneFeaturePerSideAndTier() throws {
        let out = Fixtures.temporaryDirectory() + "/t.geojson"
        let r = try CLI.run(["export", "--date", "2017-11-19", "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any])
        #expect(obj["type"] as? String == "FeatureCollection")
        let features = try #require(obj["features"] as? [[String: Any]])
        let keys = features.compactMap { f -> String? in
            guard let p = f["properties"] as? [String: Any], let id = p["id"] as? String, let tier = p["tier"] as? String else { return nil }
            return id + "/" + tier
        }
        #expect(keys.count == features.count && Set(keys).count == keys.count)
        #expect(keys.contains("isis/held") && keys.contains("iraq_gov/hinterland"))
        for f in features {
            let props = try #require(f["properties"] as? [String: Any])
            #expect(Set(props.keys) == ["id", "name", "area_km2", "tier"])
            #expect(["held", "hinterland"].contains(props["tier"] as? String ?? ""))
            #expect((f["geometry"] as? [String: Any])?["type"] as? String == "MultiPolygon")
        }
    }

    @Test func validatePassesOnShippedData() throws {
        let r = try CLI.run(["validate"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("0 error(s)"))
    }

    @Test func dataFolderFromOptionOrEnvironment() throws {
        let a = try CLI.run(["stats", "--date", "2017-03-01", "--data", Fixtures.mini, "--format", "csv"], cwd: "/tmp")
        #expect(a.status == 0 && a.stdout.contains("iraq_gov"))
        let b = try CLI.run(["stats", "--date", "2017-03-01", "--format", "csv"], cwd: "/tmp", env: ["FRONTLINE_DATA": Fixtures.mini])
        #expect(b.stdout == a.stdout)
    }

    @Test func helpTeaches() throws {
        let r = try CLI.run(["render", "--help"])
        #expect(r.stdout.contains("--date") && r.stdout.contains("--labels") && r.stdout.contains("frontline render --date"))
    }
}

@Suite struct CLIBadInputTests {
    /// Runs a failing command next to an existing good file and checks that it says one clear
    /// line, exits non-zero, and leaves the file as it was.
    func expectFailure(_ args: [String], out: String, mentions: String, data: String? = nil) throws {
        let dir = (out as NSString).deletingLastPathComponent
        let before = FileManager.default.fileExists(atPath: dir) ? (try FileManager.default.contentsOfDirectory(atPath: dir)) : []
        var full = args
        if let data { full += ["--data", data] }
        let r = try CLI.run(full)
        #expect(r.status != 0)
        #expect(r.stderr.contains(mentions), "stderr: \(r.stderr)")
        let lines = r.stderr.split(separator: "\n").filter { !$0.hasPrefix("Usage:") && !$0.contains("--help") }
        #expect(lines.count <= 2, "too chatty: \(r.stderr)")
        let after = FileManager.default.fileExists(atPath: dir) ? (try FileManager.default.contentsOfDirectory(atPath: dir)) : []
        #expect(after.sorted() == before.sorted(), "files changed: \(before) → \(after)")
    }

    @Test func badDatesAndOptions() throws {
        let dir = Fixtures.temporaryDirectory()
        let out = dir + "/map.png"
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: out))
        try expectFailure(["render", "--date", "2017-02-30", "--out", out], out: out, mentions: "not a real calendar date")
        try expectFailure(["render", "--date", "19/11/2017", "--out", out], out: out, mentions: "YYYY-MM-DD")
        try expectFailure(["render", "--date", "2030-01-01", "--out", out], out: out, mentions: "outside the data")
        try expectFailure(["render", "--date", "2017-11-19", "--region", "atlantis", "--out", out], out: out, mentions: "unknown region")
        try expectFailure(["render", "--date", "2017-11-19", "--size", "99999x99999", "--out", out], out: out, mentions: "out of range")
        try expectFailure(["render", "--date", "2017-11-19", "--theme", "neon", "--out", out], out: out, mentions: "unknown theme")
        try expectFailure(["render", "--date", "2017-11-19", "--out", dir + "/map.bmp"], out: out, mentions: "unsupported file type")
        try expectFailure(["render", "--date", "2017-11-19", "--out", dir + "/no/such/map.png"], out: out, mentions: "does not exist")
        try expectFailure(["stats", "--date", "2017-13-01"], out: out, mentions: "not a real calendar date")
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "keep me")
    }

    @Test func unwritableFolder() throws {
        guard getuid() != 0 else { return }   // root can write anywhere
        let dir = Fixtures.temporaryDirectory()
        chmod(dir, 0o500)
        defer { chmod(dir, 0o700) }
        try expectFailure(["render", "--date", "2017-11-19", "--out", dir + "/m.png"], out: dir + "/m.png", mentions: "not writable")
    }

    @Test func badDataRowsAreReportedAsFileLine() throws {
        let data = try Fixtures.copyOfMini()
        let events = data + "/timeline/events.csv"
        var text = try String(contentsOfFile: events, encoding: .utf8)
        text += "2017-10-01,atlantis,isis,https://x.org,\n"
        try text.write(toFile: events, atomically: true, encoding: .utf8)
        let out = Fixtures.temporaryDirectory() + "/m.png"
        try expectFailure(["render", "--date", "2017-11-19", "--out", out], out: out,
                          mentions: "timeline/events.csv:10: unknown place 'atlantis'", data: data)
        let v = try CLI.run(["validate", "--data", data])
        #expect(v.status != 0 && v.stderr.contains("events.csv:10: unknown place 'atlantis'"))
    }

    @Test func malformedCSVAndGeoJSON() throws {
        let data = try Fixtures.copyOfMini()
        try "date,place,controller,source,note\n2017-01-01,west-town,\"isis,https://x\n"
            .write(toFile: data + "/timeline/events.csv", atomically: true, encoding: .utf8)
        try "{\"type\": \"FeatureCollection\"".write(toFile: data + "/basemap/lakes.geojson", atomically: true, encoding: .utf8)
        let v = try CLI.run(["validate", "--data", data])
        #expect(v.status == 1)
        #expect(v.stderr.contains("events.csv:2: unterminated quoted field"))
        #expect(v.stderr.contains("lakes.geojson") && v.stderr.contains("not valid JSON"))
    }

    @Test func missingDataFolder() throws {
        let r = try CLI.run(["stats", "--date", "2017-11-19", "--data", "/nonexistent/geodata"])
        #expect(r.status == 1 && r.stderr.contains("no such data folder"))
    }
}
