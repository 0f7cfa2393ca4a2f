import CCairo
import Foundation

/// Compares PNG images with a tolerance and writes a diff image when they differ, so a
/// failing golden test shows where.
public enum ImageComparison {
    public struct Result: CustomStringConvertible {
        public let differingPixels: Int
        public let totalPixels: Int
        public let diffPath: String?
        public var fraction: Double { totalPixels == 0 ? 1 : Double(differingPixels) / Double(totalPixels) }
        public var description: String {
            String(format: "%d of %d pixels differ (%.3f%%)", differingPixels, totalPixels, fraction * 100)
                + (diffPath.map { "; diff image: \($0)" } ?? "")
        }
    }

    public struct LoadError: Error, CustomStringConvertible {
        public let description: String
    }

    /// A pixel differs when any channel differs by more than `channelTolerance` (0–255).
    /// The diff image shows differing pixels in red over a faded copy of the expected image.
    public static func compare(actual: String, expected: String, channelTolerance: Int = 40,
                               diffPath: String) throws -> Result {
        let a = try load(actual), e = try load(expected)
        defer { cairo_surface_destroy(a); cairo_surface_destroy(e) }
        let w = Int(cairo_image_surface_get_width(a)), h = Int(cairo_image_surface_get_height(a))
        guard w == Int(cairo_image_surface_get_width(e)), h == Int(cairo_image_surface_get_height(e)) else {
            return Result(differingPixels: w * h, totalPixels: w * h, diffPath: nil)
        }
        let diff = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(w), Int32(h))!
        defer { cairo_surface_destroy(diff) }
        let sa = Int(cairo_image_surface_get_stride(a)), se = Int(cairo_image_surface_get_stride(e))
        let sd = Int(cairo_image_surface_get_stride(diff))
        let pa = cairo_image_surface_get_data(a)!, pe = cairo_image_surface_get_data(e)!, pd = cairo_image_surface_get_data(diff)!
        var count = 0
        for y in 0..<h {
            for x in 0..<w {
                let ia = y * sa + x * 4, ie = y * se + x * 4, id = y * sd + x * 4
                var differs = false
                for c in 0..<4 where abs(Int(pa[ia + c]) - Int(pe[ie + c])) > channelTolerance { differs = true }
                if differs {
                    count += 1
                    pd[id] = 0; pd[id + 1] = 0; pd[id + 2] = 255; pd[id + 3] = 255
                } else {
                    for c in 0..<3 { pd[id + c] = UInt8(200 + Int(pe[ie + c]) / 5) }
                    pd[id + 3] = 255
                }
            }
        }
        cairo_surface_mark_dirty(diff)
        var written: String? = nil
        if count > 0 {
            try? FileManager.default.createDirectory(atPath: (diffPath as NSString).deletingLastPathComponent,
                                                     withIntermediateDirectories: true)
            if cairo_surface_write_to_png(diff, diffPath) == CAIRO_STATUS_SUCCESS { written = diffPath }
        }
        return Result(differingPixels: count, totalPixels: w * h, diffPath: written)
    }

    static func load(_ path: String) throws -> OpaquePointer {
        guard let s = cairo_image_surface_create_from_png(path), cairo_surface_status(s) == CAIRO_STATUS_SUCCESS else {
            throw LoadError(description: "cannot read PNG \(path)")
        }
        return s
    }

    /// Size of a PNG file, or nil if it is not one.
    public static func pngSize(_ path: String) -> (width: Int, height: Int)? {
        guard let s = try? load(path) else { return nil }
        defer { cairo_surface_destroy(s) }
        return (Int(cairo_image_surface_get_width(s)), Int(cairo_image_surface_get_height(s)))
    }
}

/// Paths the tests share.
public enum Fixtures {
    /// The repository root, found from this source file.
    public static var repositoryRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }
    public static var mini: String { repositoryRoot + "/Tests/Fixtures/mini" }
    public static var geodata: String { repositoryRoot + "/Geodata" }

    /// A fresh temporary folder.
    public static func temporaryDirectory(_ name: String = "frontline-test") -> String {
        let dir = NSTemporaryDirectory() + "\(name)-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Adds `line` and a line end at the end of `file`.
    public static func append(_ line: String, to file: String) throws {
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
        h.seekToEndOfFile()
        h.write(Data((line + "\n").utf8))
        try h.close()
    }

    /// Copies the mini fixture into a temporary folder, so a test can break it.
    public static func copyOfMini() throws -> String {
        let dir = temporaryDirectory("frontline-mini")
        try FileManager.default.removeItem(atPath: dir)
        try FileManager.default.copyItem(atPath: mini, toPath: dir)
        return dir
    }
}

/// A small deterministic random generator (SplitMix64) so fuzz tests are reproducible.
public struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
