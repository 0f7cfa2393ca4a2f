import Foundation
import Testing
import FrontlineData
import FrontlineGeometry
import FrontlineTestSupport
@testable import FrontlineRender

@Suite struct FrameSequenceTests {
    static func mini() throws -> Dataset {
        var w: [DataProblem] = []
        return try Dataset.load(directory: Fixtures.mini, warnings: &w)
    }

    var options: MapOptions {
        MapOptions(size: Size(480, 360), region: .box(GeoBox(minLon: 39.5, minLat: 32.5, maxLon: 44.5, maxLat: 35.5)))
    }

    func manifest(_ dir: String) throws -> [String] {
        try String(contentsOfFile: dir + "/frames.csv", encoding: .utf8).split(separator: "\n").map(String.init)
    }

    @Test(arguments: [("2017-05-28", "2017-07-03", "7d", 6), ("2017-06-01", "2017-06-05", "1d", 5), ("2017-01-31", "2017-05-31", "1m", 5)])
    func writesOneFramePerStepWithAManifest(_ a: (String, String, String, Int)) throws {
        let days = try DayStep(parsing: a.2).days(from: try Day(iso: a.0), through: try Day(iso: a.1))
        #expect(days.count == a.3)
        let dir = Fixtures.temporaryDirectory()
        let dataset = try Self.mini()
        let seq = FrameSequence(dataset: dataset, days: days, options: options, jobs: 2)
        let report = try seq.write(to: dir, resume: false, progress: { _, _ in }, isCancelled: { false })
        #expect(report.written == a.3 && report.skipped == 0)
        let lines = try manifest(dir)
        #expect(lines.first == "frame,date,file")
        #expect(lines.dropFirst().map { $0.split(separator: ",")[1] }.map(String.init) == days.map(\.iso))
        for i in 0..<a.3 {
            #expect(FrameSequence.isValidFrame(dir + "/" + FrameSequence.fileName(i), size: options.size))
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/" + FrameSequence.fileName(a.3)))
    }

    @Test func framesShareOneExtentAndLayout() throws {
        // Two days with different control: the map pixels of a fixed point stay where they are.
        let days = [try Day(iso: "2017-03-01"), try Day(iso: "2017-09-15")]
        let dir = Fixtures.temporaryDirectory()
        let dataset = try Self.mini()
        _ = try FrameSequence(dataset: dataset, days: days, options: options, jobs: 1)
            .write(to: dir, resume: false, progress: { _, _ in }, isCancelled: { false })
        // The border between the two "countries" is drawn at the same column in both frames:
        // compare the two frames outside the territory and title, where nothing changed.
        let r = try ImageComparison.compare(actual: dir + "/frame-00001.png", expected: dir + "/frame-00002.png",
                                            diffPath: dir + "/diff.png")
        #expect(r.differingPixels > 0, "the frames differ in control and date")
        #expect(r.fraction < 0.35, "most of the frame (sea, borders, legend frame, strip) is identical: \(r)")
        let r1 = try MapRenderer(dataset: dataset, projection: try Projection.regionalEqualArea(), options: options)
        var o2 = options
        o2.reservedBottom = 123
        let r2 = try MapRenderer(dataset: dataset, projection: try Projection.regionalEqualArea(), options: o2)
        #expect(r1.frame.scale != r2.frame.scale, "the strip's space is taken from the map, consistently")
    }

    @Test func resumeSkipsValidFramesAndRedoesBrokenOnes() throws {
        let days = try DayStep(parsing: "1d").days(from: try Day(iso: "2017-06-01"), through: try Day(iso: "2017-06-04"))
        let dir = Fixtures.temporaryDirectory()
        let dataset = try Self.mini()
        let seq = FrameSequence(dataset: dataset, days: days, options: options, jobs: 2)
        _ = try seq.write(to: dir, resume: false, progress: { _, _ in }, isCancelled: { false })
        try Data("truncated".utf8).write(to: URL(fileURLWithPath: dir + "/frame-00002.png"))
        try FileManager.default.removeItem(atPath: dir + "/frame-00004.png")
        let again = try seq.write(to: dir, resume: true, progress: { _, _ in }, isCancelled: { false })
        #expect(again.skipped == 2 && again.written == 2)
        #expect(FrameSequence.isValidFrame(dir + "/frame-00002.png", size: options.size))
    }

    @Test func cancellingLeavesOnlyWholeFrames() throws {
        let days = try DayStep(parsing: "1d").days(from: try Day(iso: "2017-06-01"), through: try Day(iso: "2017-06-30"))
        let dir = Fixtures.temporaryDirectory()
        var calls = 0
        let lock = NSLock()
        let dataset = try Self.mini()
        let report = try FrameSequence(dataset: dataset, days: days, options: options, jobs: 2)
            .write(to: dir, resume: false, progress: { _, _ in }, isCancelled: {
                lock.lock(); defer { lock.unlock() }
                calls += 1
                return calls > 12
            })
        #expect(report.cancelled && report.written < days.count)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir)
        #expect(!files.contains { $0.hasSuffix(".tmp") }, "no half-written files: \(files)")
        for f in files where f.hasSuffix(".png") { #expect(FrameSequence.isValidFrame(dir + "/" + f, size: options.size)) }
    }

    @Test func aFailureSaysWhatWasWrittenAndLeavesNoPartialFrame() throws {
        let days = try DayStep(parsing: "1d").days(from: try Day(iso: "2017-06-01"), through: try Day(iso: "2017-06-06"))
        let dir = Fixtures.temporaryDirectory()
        // A folder where frame 3 should go makes its rename fail.
        try FileManager.default.createDirectory(atPath: dir + "/frame-00003.png", withIntermediateDirectories: false)
        let dataset = try Self.mini()
        #expect {
            _ = try FrameSequence(dataset: dataset, days: days, options: options, jobs: 1)
                .write(to: dir, resume: false, progress: { _, _ in }, isCancelled: { false })
        } throws: { error in
            "\(error)".contains("frames stopped after") && "\(error)".contains("--resume")
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: dir)
        #expect(!files.contains { $0.hasSuffix(".tmp") }, "\(files)")
    }
}
