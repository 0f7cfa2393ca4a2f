import ArgumentParser
import Dispatch
import Foundation
import FrontlineData
import FrontlineGeometry
import FrontlineRender

struct Frames: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Render one map per day of a range, and optionally a video.",
        discussion: """
        Frames are 1280x960 unless --size says otherwise. Writes frame-00001.png, frame-00002.png … in date order and frames.csv (frame,date,file) \
        into --out. Every frame has the same projection, extent and layout; each carries its date \
        and a strip with the area each side held over the whole range and a cursor at its day. \
        --video assembles the frames with ffmpeg (.mp4, .webm or .gif).

          frontline frames --from 2017-09-01 --to 2017-11-30 --step 7d --out frames/
          frontline frames --from 2014-01-01 --to 2019-03-31 --step 1d --size 1280x960 --out war/ --video war.mp4
          frontline frames --from 2017-09-01 --to 2017-11-30 --step 1d --out frames/ --resume

        Interrupting (Ctrl-C) finishes the frames being written and stops; --resume then skips \
        the frames already written.
        """
    )

    @OptionGroup var dataOptions: DataOptions
    @Option(help: ArgumentHelp("First day, YYYY-MM-DD.", valueName: "date")) var from: String
    @Option(help: ArgumentHelp("Last day, YYYY-MM-DD (included when the step lands on it).", valueName: "date")) var to: String
    @Option(help: ArgumentHelp("Step between frames: 1d, 7d, 2w, 1m …", valueName: "step")) var step: String = "1d"
    @Option(help: ArgumentHelp("Folder for the frames.", valueName: "dir")) var out: String
    @Option(help: ArgumentHelp("Also write a video: .mp4, .webm or .gif (needs ffmpeg).", valueName: "file")) var video: String?
    @Option(help: "Frames per second of the video.") var fps: Int = 8
    @Option(help: "Frames rendered in parallel (default: all cores).") var jobs: Int = ProcessInfo.processInfo.activeProcessorCount
    @OptionGroup var map: MapArguments
    @Flag(help: "Keep frames already written and valid; render only the missing ones.") var resume = false
    @Flag(help: "Replace the frames in a folder that already has some.") var force = false

    mutating func validate() throws {
        let a = try parseDay(from, option: "--from"), b = try parseDay(to, option: "--to")
        guard a <= b else { throw ValidationError("--from \(from) is after --to \(to)") }
        do { _ = try DayStep(parsing: step) } catch { throw ValidationError("--step: \(error)") }
        guard (1...64).contains(jobs) else { throw ValidationError("--jobs must be between 1 and 64") }
        guard (1...120).contains(fps) else { throw ValidationError("--fps must be between 1 and 120") }
        if let video, VideoEncoder.Format(path: video) == nil {
            throw ValidationError("--video: cannot write '\(video)': unsupported file type; use .mp4, .webm or .gif")
        }
        if resume && force { throw ValidationError("--resume and --force contradict each other; choose one") }
    }

    func run() throws {
        try reportingErrors {
            let d1 = try Day(iso: from), d2 = try Day(iso: to)
            let days = try DayStep(parsing: step).days(from: d1, through: d2)
            if let video {
                try AtomicFile.checkWritable(video)
                guard VideoEncoder.ffmpegPath() != nil else {
                    throw CLIError("--video needs ffmpeg, which is not installed (apt-get install ffmpeg)")
                }
            }
            let dataset = try dataOptions.load()
            try dataset.checkCovered(d1)
            try dataset.checkCovered(d2)
            try prepareFolder()
            let options = try map.options(defaultSize: "1280x960")
            _ = try MapStyle(theme: options.theme, factions: dataset.factions)
            let sequence = FrameSequence(dataset: dataset, days: days, options: options, jobs: jobs,
                                         cache: dataOptions.cache(for: dataset))

            let interrupted = Interrupt()
            let progress = Progress(total: days.count)
            let started = Date()
            let report = try sequence.write(to: out, resume: resume, progress: progress.update,
                                            isCancelled: { interrupted.isSet })
            progress.finish()
            let seconds = Date().timeIntervalSince(started)
            if report.cancelled {
                printError("interrupted: \(report.written) frame(s) written, \(report.skipped) kept, \(report.total - report.written - report.skipped) not written; rerun with --resume to finish")
                throw ExitCode(130)
            }
            print(String(format: "wrote %d frame(s) to %@ (%d kept from before, %d distinct maps) in %.1f s; manifest %@/frames.csv",
                         report.written, out as NSString, report.skipped, report.distinctMaps, seconds, out as NSString))
            if let video {
                try VideoEncoder.encode(frames: out, to: video, fps: fps)
                print("wrote \(video)")
            }
        }
    }

    /// The output folder must be new, empty, or allowed by --resume/--force.
    func prepareFolder() throws {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: out, isDirectory: &isDir) {
            guard isDir.boolValue else { throw CLIError("--out \(out) is a file, not a folder") }
            let contents = try fm.contentsOfDirectory(atPath: out).filter { !$0.hasPrefix(".") }
            if !contents.isEmpty && !resume && !force {
                throw CLIError("--out \(out) is not empty; use --resume to continue it or --force to replace its frames")
            }
            if force {
                for f in contents where (f.hasPrefix("frame-") && f.hasSuffix(".png")) || f == "frames.csv" {
                    try fm.removeItem(atPath: out + "/" + f)
                }
            }
        } else {
            do { try fm.createDirectory(atPath: out, withIntermediateDirectories: true) } catch {
                throw CLIError("cannot create folder \(out): \(error.localizedDescription)")
            }
        }
        guard fm.isWritableFile(atPath: out) else { throw CLIError("cannot write to folder \(out)") }
    }
}

/// Ctrl-C sets a flag instead of killing the process, so frames in progress complete.
final class Interrupt: @unchecked Sendable {
    private var flag = false
    private let lock = NSLock()
    private var source: DispatchSourceSignal?

    init() {
        signal(SIGINT, SIG_IGN)
        let s = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        s.setEventHandler { [weak self] in
            guard let self else { return }
            self.lock.lock(); self.flag = true; self.lock.unlock()
            FileHandle.standardError.write(Data("\nfrontline: stopping after the frames in progress…\n".utf8))
        }
        s.resume()
        source = s
    }

    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return flag }
}

/// A progress bar on a terminal; sparse plain lines otherwise (logs, CI).
final class Progress {
    let total: Int
    let tty = isatty(STDERR_FILENO) != 0
    var lastShown = -1
    var lastTime = Date.distantPast
    let start = Date()

    /// What is counted: "frames", "days".
    let unit: String

    init(total: Int, unit: String = "frames") { self.total = total; self.unit = unit }

    func update(_ done: Int, _ total: Int) {
        if tty {
            guard Date().timeIntervalSince(lastTime) > 0.1 || done == total else { return }
            lastTime = Date()
            let width = 30
            let filled = total == 0 ? width : width * done / total
            let rate = Double(done) / max(0.001, Date().timeIntervalSince(start))
            let eta = rate > 0 ? Double(total - done) / rate : 0
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            FileHandle.standardError.write(Data(String(format: "\r%@ %d/%d %@  %.0f/s  ETA %.0f s ", bar, done, total, unit, rate, eta).utf8))
        } else {
            let decile = total == 0 ? 10 : done * 10 / total
            guard decile > lastShown else { return }
            lastShown = decile
            FileHandle.standardError.write(Data("\(unit): \(done)/\(total)\n".utf8))
        }
    }

    func finish() { if tty { FileHandle.standardError.write(Data("\n".utf8)) } }
}
