import Foundation
import Testing
import FrontlineTestSupport

/// Runs a program (ogrinfo, python3, bash) found on PATH.
func runTool(_ tool: String, _ args: [String], cwd: String? = nil, env: [String: String]? = nil) throws -> CLI.Result {
    try CLI.process("/usr/bin/env", [tool] + args, cwd: cwd, environment: env)
}

@Suite struct CLITimeExportTests {
    /// `ogrinfo -al -so` (GDAL, Debian's gdal-bin) opens the file without a warning and sees the
    /// interval fields as dates.
    func expectGDALReads(_ file: String, geometry: String, extra: [String] = []) throws {
        let r = try runTool("ogrinfo", ["-al", "-so"] + extra + [file])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!r.stderr.contains("Warning") && !r.stderr.contains("ERROR"), "\(r.stderr)")
        #expect(r.stdout.contains("Geometry: \(geometry)"), "\(r.stdout)")
        #expect(r.stdout.contains("valid_from: Date") && r.stdout.contains("valid_to: Date"), "\(r.stdout)")
    }

    /// Python's json module reads it and every feature has the fields QGIS and kepler.gl ask for.
    func expectPythonReads(_ file: String, fields: [String]) throws {
        let script = """
        import json, sys
        d = json.load(open(sys.argv[1]))
        need = set(sys.argv[2].split(','))
        bad = [f for f in d['features'] if not need <= set(f['properties'])]
        print(len(d['features']), len(bad))
        """
        let r = try runTool("python3", ["-c", script, file, fields.joined(separator: ",")])
        #expect(r.status == 0, "\(r.stderr)")
        let parts = r.stdout.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        #expect(parts.count == 2 && parts[0] > 0 && parts[1] == 0, "\(r.stdout)")
    }

    @Test func timelineAsGeoJSONAndCSV() throws {
        let dir = Fixtures.temporaryDirectory()
        let g = try CLI.run(["export", "--timeline", "--out", dir + "/control.geojson"])
        #expect(g.status == 0, "\(g.stderr)")
        try expectGDALReads(dir + "/control.geojson", geometry: "Point")
        try expectPythonReads(dir + "/control.geojson", fields: ["place", "name", "name_ar", "controller", "valid_from", "valid_to", "source", "note"])
        let c = try CLI.run(["export", "--timeline", "--out", dir + "/control.csv"])
        #expect(c.status == 0, "\(c.stderr)")
        try expectGDALReads(dir + "/control.csv", geometry: "Point",
                            extra: ["-oo", "X_POSSIBLE_NAMES=lon", "-oo", "Y_POSSIBLE_NAMES=lat", "-oo", "AUTODETECT_TYPE=YES"])
        let csv = try String(contentsOfFile: dir + "/control.csv", encoding: .utf8)
        #expect(csv.hasPrefix("place,name,name_ar,controller,valid_from,valid_to,source,note,lon,lat\n"))
        // Mosul: ISIS from 10 June 2014 until the government from 10 July 2017, then open.
        #expect(csv.contains("\nmosul,Mosul,"))
        let mosul = csv.split(separator: "\n").filter { $0.hasPrefix("mosul,") }
        #expect(mosul.contains { $0.contains(",isis,2014-06-10,") })
        #expect(mosul.last?.contains(",iraq_gov,2017-07-10,,") == true)
    }

    @Test func territoryHistoryOverARange() throws {
        let out = Fixtures.temporaryDirectory() + "/history.geojson"
        let r = try CLI.run(["export", "--from", "2017-10-01", "--to", "2017-11-30", "--step", "7d", "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        try expectGDALReads(out, geometry: "Multi Polygon")
        try expectPythonReads(out, fields: ["id", "name", "tier", "area_km2", "valid_from", "valid_to"])
    }

    @Test func badExportRequestsAreOneClearLine() throws {
        let dir = Fixtures.temporaryDirectory()
        for (args, says) in [(["export", "--timeline", "--date", "2017-01-01", "--out", dir + "/x.geojson"], "one of"),
                             (["export", "--from", "2017-01-01", "--out", dir + "/x.geojson"], "both --from and --to"),
                             (["export", "--from", "2017-02-01", "--to", "2017-01-01", "--out", dir + "/x.geojson"], "after"),
                             (["export", "--from", "2017-01-01", "--to", "2017-02-01", "--step", "3q", "--out", dir + "/x.geojson"], "--step"),
                             (["export", "--date", "2017-01-01", "--out", dir + "/x.csv"], ".geojson")] {
            let r = try CLI.run(args)
            #expect(r.status != 0 && r.stderr.contains(says), "\(args): \(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/x.geojson"))
    }
}

@Suite struct CLIInstallTests {
    /// scripts/install.sh into a temporary prefix, then a render from an unrelated folder with no
    /// environment at all: the binary finds PREFIX/share/frontline/Geodata by itself.
    @Test func installedBinaryRendersFromAnywhere() throws {
        let prefix = Fixtures.temporaryDirectory("frontline-prefix")
        var env = ProcessInfo.processInfo.environment
        env["FRONTLINE_BINARY"] = CLI.binary
        let install = try runTool("bash", [Fixtures.repositoryRoot + "/scripts/install.sh", prefix], env: env)
        #expect(install.status == 0, "\(install.stderr)")
        for path in ["bin/frontline", "lib/frontline/frontline", "share/frontline/Geodata/dataset.json",
                     "share/frontline/Geodata/places.csv", "lib/frontline/frontline_FrontlineServer.resources"] {
            #expect(FileManager.default.fileExists(atPath: prefix + "/" + path), "\(path)")
        }
        #expect(!FileManager.default.fileExists(atPath: prefix + "/share/frontline/Geodata/tools"))
        let elsewhere = Fixtures.temporaryDirectory("frontline-elsewhere")
        let version = try runTool(prefix + "/bin/frontline", ["--version"], cwd: elsewhere, env: [:])
        #expect(version.status == 0, "\(version.stderr)")
        #expect(version.stdout.contains("data: " + prefix + "/share/frontline/Geodata"), "\(version.stdout)")
        #expect(version.stdout.range(of: "sha256 [0-9a-f]{64}", options: .regularExpression) != nil)
        let render = try runTool(prefix + "/bin/frontline", ["render", "--date", "2017-11-19", "--size", "400x300", "--out", "map.png"],
                                 cwd: elsewhere, env: [:])
        #expect(render.status == 0, "\(render.stderr)")
        #expect(ImageComparison.pngSize(elsewhere + "/map.png").map { [$0.width, $0.height] } == [400, 300])
    }

    @Test func versionNamesTheDataAndItsDigest() throws {
        let a = try CLI.run(["--version"])
        #expect(a.status == 0 && a.stdout.hasPrefix("frontline "))
        #expect(a.stdout.contains("data: " + Fixtures.repositoryRoot + "/Geodata"))
        let b = try CLI.run(["--version"], env: ["FRONTLINE_DATA": Fixtures.mini])
        let digest = { (s: String) in s.range(of: "sha256 [0-9a-f]{64}", options: .regularExpression).map { String(s[$0]) } }
        #expect(digest(a.stdout) != nil && digest(b.stdout) != nil && digest(a.stdout) != digest(b.stdout))
    }
}

@Suite struct LibraryExampleTests {
    /// Examples/MapOfADay, a separate package that depends on frontline by path, builds with
    /// SwiftPM and draws a map (its own build folder, .build-example, kept out of git).
    @Test(.timeLimit(.minutes(30))) func theLibraryExampleBuildsAndDraws() throws {
        let example = Fixtures.repositoryRoot + "/Examples/MapOfADay"
        let scratch = Fixtures.repositoryRoot + "/.build-example"
        let build = try runTool("swift", ["build", "--package-path", example, "--scratch-path", scratch])
        #expect(build.status == 0, "\(build.stdout)\(build.stderr)")
        let out = Fixtures.temporaryDirectory() + "/example.png"
        let run = try runTool(scratch + "/debug/MapOfADay", [Fixtures.geodata, "2017-11-19", out])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("Islamic State") && run.stdout.contains("km² held"), "\(run.stdout)")
        #expect(ImageComparison.pngSize(out).map { [$0.width, $0.height] } == [1200, 900])
    }
}
