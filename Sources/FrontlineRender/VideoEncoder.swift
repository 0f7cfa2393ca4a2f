import Foundation

/// Assembles frames into a video with ffmpeg, run as a subprocess.
public enum VideoEncoder {
    public enum Format: String, Sendable {
        case mp4, webm, gif
        public init?(path: String) { self.init(rawValue: (path as NSString).pathExtension.lowercased()) }
    }

    public static func ffmpegPath() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let p = "\(dir)/ffmpeg"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    /// Encodes `frames/frame-%05d.png` at `fps` into `output`, atomically.
    public static func encode(frames directory: String, to output: String, fps: Int) throws {
        guard let ffmpeg = ffmpegPath() else { throw RenderError("ffmpeg is not installed (apt-get install ffmpeg)") }
        guard let format = Format(path: output) else {
            throw RenderError("cannot write \(output): unsupported video type; use .mp4, .webm or .gif")
        }
        try AtomicFile.write(to: output) { tmp in
            var args = ["-hide_banner", "-loglevel", "error", "-y", "-framerate", String(fps),
                        "-i", directory + "/frame-%05d.png"]
            switch format {
            case .mp4:
                args += ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", "23", "-preset", "medium",
                         "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2", "-movflags", "+faststart", "-f", "mp4"]
            case .webm:
                args += ["-c:v", "libvpx-vp9", "-b:v", "0", "-crf", "36", "-row-mt", "1", "-f", "webm"]
            case .gif:
                args += ["-filter_complex", "[0:v]split[a][b];[a]palettegen=max_colors=96:stats_mode=diff[p];[b][p]paletteuse=dither=bayer:bayer_scale=4:diff_mode=rectangle",
                         "-f", "gif"]
            }
            args.append(tmp)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: ffmpeg)
            p.arguments = args
            let err = Pipe()
            p.standardError = err
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            let msg = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            guard p.terminationStatus == 0 else {
                throw RenderError("ffmpeg failed (\(p.terminationStatus)): \(msg.split(separator: "\n").last ?? "")")
            }
        }
    }
}
