import Foundation
import Testing
import FrontlineTestSupport

@Suite struct FramesCLITests {
    let mini = Fixtures.mini
    let region = "39.5,32.5,44.5,35.5"

    @Test func framesAndAVideoThatFfprobeAccepts() throws {
        let dir = Fixtures.temporaryDirectory() + "/frames"
        let video = Fixtures.temporaryDirectory() + "/anim.mp4"
        let r = try CLI.run(["frames", "--data", mini, "--from", "2017-05-29", "--to", "2017-07-03", "--step", "7d",
                             "--size", "480x360", "--region", region, "--out", dir, "--video", video, "--fps", "4"])
        #expect(r.status == 0, "\(r.stderr)")
        let manifest = try String(contentsOfFile: dir + "/frames.csv", encoding: .utf8).split(separator: "\n")
        #expect(manifest == ["frame,date,file", "1,2017-05-29,frame-00001.png", "2,2017-06-05,frame-00002.png",
                             "3,2017-06-12,frame-00003.png", "4,2017-06-19,frame-00004.png",
                             "5,2017-06-26,frame-00005.png", "6,2017-07-03,frame-00006.png"])
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/ffprobe")
        probe.arguments = ["-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                           "stream=codec_name,width,height,nb_read_frames", "-of", "csv=p=0", video]
        let out = Pipe()
        probe.standardOutput = out
        try probe.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        probe.waitUntilExit()
        #expect(probe.terminationStatus == 0)
        #expect(text.trimmingCharacters(in: .whitespacesAndNewlines) == "h264,480,360,6")
    }

    @Test func monthlyStepsAndResume() throws {
        let dir = Fixtures.temporaryDirectory() + "/m"
        let args = ["frames", "--data", mini, "--from", "2017-01-31", "--to", "2017-06-30", "--step", "1m",
                    "--size", "480x360", "--region", region, "--out", dir]
        #expect(try CLI.run(args).status == 0)
        let lines = try String(contentsOfFile: dir + "/frames.csv", encoding: .utf8).split(separator: "\n")
        #expect(lines.dropFirst().map { String($0.split(separator: ",")[1]) } ==
                ["2017-01-31", "2017-02-28", "2017-03-31", "2017-04-30", "2017-05-31", "2017-06-30"])
        try FileManager.default.removeItem(atPath: dir + "/frame-00003.png")
        let again = try CLI.run(args + ["--resume"])
        #expect(again.status == 0 && again.stdout.contains("wrote 1 frame(s)") && again.stdout.contains("5 kept"))
    }

    @Test func badRangesAreOneClearLine() throws {
        let dir = Fixtures.temporaryDirectory()
        try Data("x".utf8).write(to: URL(fileURLWithPath: dir + "/notes.txt"))
        let cases: [([String], String)] = [
            (["--from", "2017-07-01", "--to", "2017-06-01", "--out", dir + "/a"], "is after --to"),
            (["--from", "2017-06-01", "--to", "2017-07-01", "--step", "0d", "--out", dir + "/b"], "is not a step"),
            (["--from", "2017-06-01", "--to", "2017-07-01", "--step", "weekly", "--out", dir + "/c"], "is not a step"),
            (["--from", "2010-06-01", "--to", "2017-07-01", "--out", dir + "/d"], "outside the data"),
            (["--from", "2017-06-01", "--to", "2017-07-01", "--out", dir], "is not empty"),
            (["--from", "2017-06-01", "--to", "2017-07-01", "--out", dir + "/e", "--video", dir + "/v.avi"], "unsupported file type"),
        ]
        for (args, message) in cases {
            let r = try CLI.run(["frames", "--data", mini, "--region", region, "--size", "480x360"] + args)
            #expect(r.status != 0, "\(args)")
            #expect(r.stderr.contains(message), "\(args): \(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/a/frames.csv"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/d"), "no folder made for a range outside the data")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["notes.txt"] ||
                !FileManager.default.fileExists(atPath: dir + "/e/frame-00001.png"))
    }

    @Test func missingFfmpegIsACleanError() throws {
        let dir = Fixtures.temporaryDirectory()
        let r = try CLI.run(["frames", "--data", mini, "--from", "2017-06-01", "--to", "2017-06-02", "--region", region,
                             "--size", "480x360", "--out", dir + "/f", "--video", dir + "/v.mp4"], env: ["PATH": "/nonexistent"])
        #expect(r.status == 1 && r.stderr.contains("needs ffmpeg"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/f/frame-00001.png"))
    }
}

@Suite struct CompareCLITests {
    @Test func summaryReportAndMap() throws {
        let s = try CLI.run(["compare", "2017-06-01", "2017-12-01"])
        #expect(s.status == 0, "\(s.stderr)")
        #expect(s.stdout.contains("1 June 2017 → 1 December 2017") && s.stdout.contains("Abu Kamal"))
        let dir = Fixtures.temporaryDirectory()
        let r = try CLI.run(["compare", "2017-06-01", "2017-12-01", "--out", dir + "/c.png", "--report", dir + "/c.json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(ImageComparison.pngSize(dir + "/c.png").map { $0 == (1600, 1200) } == true)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/c.json"))) as? [String: Any])
        let changes = try #require(obj["changes"] as? [[String: Any]])
        #expect(changes.filter { $0["place"] as? String == "abu-kamal" }.count >= 3)
        // The ISIS siege of Deir ez-Zor was broken in September 2017.
        let sieges = try #require(obj["sieges"] as? [[String: Any]])
        #expect(sieges.contains { $0["place"] as? String == "deir-ez-zor" && $0["status"] as? String == "ended" && $0["besieger"] as? String == "isis" })
        let md = try CLI.run(["compare", "2017-06-01", "2017-12-01", "--report", dir + "/c.md", "--layout", "side-by-side",
                              "--out", dir + "/s.png", "--size", "1500x500"])
        #expect(md.status == 0, "\(md.stderr)")
        let markdown = try String(contentsOfFile: dir + "/c.md", encoding: .utf8)
        #expect(markdown.contains("| Date | Town | From | To | Source |"))
        #expect(markdown.contains("## Sieges") && markdown.contains("| Deir ez-Zor | Islamic State (ISIS) |"))
    }

    @Test func orderAndEqualDates() throws {
        let back = try CLI.run(["compare", "2017-12-01", "2017-06-01", "--data", Fixtures.mini])
        #expect(back.status == 0 && back.stdout.contains("reverse comparison"))
        let same = try CLI.run(["compare", "2017-06-05", "2017-06-05", "--data", Fixtures.mini])
        #expect(same.status == 0 && same.stdout.contains("no change"))
    }

    @Test func badInputLeavesNoFiles() throws {
        let dir = Fixtures.temporaryDirectory()
        for args in [["2017-06-31", "2017-12-01"], ["2017-06-01", "2031-12-01"], ["2017-06-01", "2017-12-01", "--report", dir + "/r.txt"],
                     ["2017-06-01", "2017-12-01", "--out", dir + "/x/c.png"]] {
            let r = try CLI.run(["compare"] + args + ["--out", dir + "/c.png"].prefix(args.contains("--out") ? 0 : 2))
            #expect(r.status != 0, "\(args)")
            #expect(!r.stderr.isEmpty)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }
}

@Suite struct StatsByGovernorateCLITests {
    @Test func governorateBreakdown() throws {
        let r = try CLI.run(["stats", "--date", "2017-11-19", "--by", "governorate", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let govs = try #require(obj["governorates"] as? [[String: Any]])
        #expect(govs.count >= 32)
        let nineveh = try #require(govs.first { $0["id"] as? String == "IQ-NI" })
        let ids = (nineveh["factions"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []
        #expect(ids.contains("iraq_gov"))
        let bad = try CLI.run(["stats", "--date", "2017-11-19", "--by", "district"])
        #expect(bad.status != 0 && bad.stderr.contains("unknown breakdown"))
    }
}
