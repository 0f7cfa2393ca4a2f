import CPNG
import Foundation

/// An opaque RGB PNG whose image data is compressed in horizontal stripes of rows, each an
/// independent deflate stream (zlib) that ends on a byte boundary with a full flush, so that
///
/// - the stripes are compressed on every core at once (zlib has no threads of its own), and
/// - a stripe whose rows are unchanged keeps its compressed bytes: the frames of an animation
///   differ from their map only in the title and the timeline cursor, so a frame recompresses
///   two or three stripes instead of the whole image.
///
/// The stripes are joined into one zlib stream (header, the stripes in order, the Adler-32 of
/// all rows combined with zlib's `adler32_combine`) and libpng writes the chunks (IHDR, IDAT,
/// IEND) with their CRCs. Row filter "none", zlib level 2: on maps of flat colours, filters
/// cost time and win little.
public final class StripedPNG {
    public static let stripeRows = 48
    static let level: Int32 = 2
    static let idat: [UInt8] = Array("IDAT\0".utf8), iend: [UInt8] = Array("IEND\0".utf8)

    struct Stripe {
        var bytes: [UInt8]
        var adler: UInt
        var rawLength: Int
    }

    let width: Int, height: Int
    /// Each stripe's pixels (ARGB32 rows as drawn) and compressed bytes, to reuse stripes.
    private var rows: [[UInt8]]
    private var stripes: [Stripe]

    /// Compresses the image of `canvas` (an image canvas), keeping its pixels to serve as the
    /// reference of later images.
    public convenience init(_ canvas: CairoCanvas) throws {
        try self.init(pixelsOf: canvas, reusing: nil)
    }

    /// Compresses the image of `canvas`, taking from `reference` (an encoding of an image of
    /// the same size) every stripe whose pixels are the same.
    public convenience init(pixelsOf canvas: CairoCanvas, reusing reference: StripedPNG?) throws {
        try self.init(pixelsOf: canvas, reusing: reference, rowsPerStripe: Self.stripeRows, keepingRows: true)
    }

    /// Compresses a single image (no stripe will be reused): two stripes per core, so that each
    /// core sets up zlib twice rather than for every 48 rows, and no copy of the pixels is kept.
    public convenience init(single canvas: CairoCanvas) throws {
        let stripes = 2 * max(1, ProcessInfo.processInfo.activeProcessorCount)
        let rows = max(Self.stripeRows, (Int(canvas.size.height) + stripes - 1) / stripes)
        try self.init(pixelsOf: canvas, reusing: nil, rowsPerStripe: rows, keepingRows: false)
    }

    /// An image whose stripes were compressed as it was drawn (`MapRenderer.write` compresses
    /// each band of rows on the core that drew it, as soon as it is drawn), top to bottom.
    init(width: Int, height: Int, stripes: [Stripe]) {
        self.width = width; self.height = height
        self.stripes = stripes
        rows = Array(repeating: [], count: stripes.count)
    }

    /// Compresses rows `top..<bottom` of an image canvas as one stripe (`last` for the bottom one).
    static func compressRows(_ pixels: UnsafeMutablePointer<UInt8>, stride: Int, width: Int,
                             top: Int, bottom: Int, last: Bool) -> Stripe {
        compress(UnsafePointer(pixels + top * stride), stride: stride, width: width, rows: bottom - top, last: last)
    }

    private init(pixelsOf canvas: CairoCanvas, reusing reference: StripedPNG?, rowsPerStripe: Int, keepingRows: Bool) throws {
        let (pixels, stride) = try canvas.imageData()
        let w = Int(canvas.size.width), h = Int(canvas.size.height)
        width = w; height = h
        let n = (h + rowsPerStripe - 1) / rowsPerStripe
        let reuse = reference.flatMap { $0.width == w && $0.height == h ? $0 : nil }
        let rowBytes = w * 4
        var rows = [[UInt8]](repeating: [], count: n)
        var stripes = [Stripe](repeating: Stripe(bytes: [], adler: 0, rawLength: 0), count: n)
        rows.withUnsafeMutableBufferPointer { rowsOut in
            stripes.withUnsafeMutableBufferPointer { stripesOut in
                let rowsBase = rowsOut.baseAddress!, stripesBase = stripesOut.baseAddress!
                DispatchQueue.concurrentPerform(iterations: n) { i in
                    let top = i * rowsPerStripe, bottom = min(h, top + rowsPerStripe)
                    guard keepingRows else {
                        stripesBase[i] = StripedPNG.compress(UnsafePointer(pixels + top * stride), stride: stride, width: w,
                                                             rows: bottom - top, last: i == n - 1)
                        return
                    }
                    var copy = [UInt8](repeating: 0, count: (bottom - top) * rowBytes)
                    copy.withUnsafeMutableBytes { dst in
                        for y in top..<bottom {
                            memcpy(dst.baseAddress! + (y - top) * rowBytes, pixels + y * stride, rowBytes)
                        }
                    }
                    if let reuse, reuse.rows[i].count == copy.count,
                       reuse.rows[i].withUnsafeBytes({ a in copy.withUnsafeBytes { memcmp(a.baseAddress!, $0.baseAddress!, a.count) == 0 } }) {
                        stripesBase[i] = reuse.stripes[i]
                    } else {
                        stripesBase[i] = copy.withUnsafeBytes {
                            StripedPNG.compress($0.bindMemory(to: UInt8.self).baseAddress!, stride: rowBytes, width: w,
                                                rows: bottom - top, last: i == n - 1)
                        }
                    }
                    rowsBase[i] = copy
                }
            }
        }
        self.rows = rows
        self.stripes = stripes
    }

    /// Filter byte 0 and R, G, B for each row; then deflate ending in a full flush (or the end
    /// of the stream for the last stripe).
    static func compress(_ src: UnsafePointer<UInt8>, stride: Int, width: Int, rows: Int, last: Bool) -> Stripe {
        let rawLength = rows * (1 + width * 3)
        var raw = [UInt8](repeating: 0, count: rawLength)
        raw.withUnsafeMutableBytes { dstBuffer in
            let dst = dstBuffer.bindMemory(to: UInt8.self).baseAddress!
            var o = 0
            for y in 0..<rows {
                dst[o] = 0; o += 1
                var p = src + y * stride
                // Cairo's ARGB32 is native-endian: B, G, R, A in memory. Maps are opaque.
                for _ in 0..<width {
                    dst[o] = p[2]; dst[o + 1] = p[1]; dst[o + 2] = p[0]
                    o += 3; p += 4
                }
            }
        }
        var stream = z_stream()
        deflateInit2_(&stream, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        defer { deflateEnd(&stream) }
        var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(rawLength))) + 64)
        let written: Int = raw.withUnsafeMutableBytes { input in
            out.withUnsafeMutableBytes { output in
                stream.next_in = input.bindMemory(to: Bytef.self).baseAddress
                stream.avail_in = uInt(rawLength)
                stream.next_out = output.bindMemory(to: Bytef.self).baseAddress
                stream.avail_out = uInt(output.count)
                _ = deflate(&stream, last ? Z_FINISH : Z_FULL_FLUSH)
                return output.count - Int(stream.avail_out)
            }
        }
        out.removeSubrange(written...)
        let adler = raw.withUnsafeBytes { adler32(1, $0.bindMemory(to: Bytef.self).baseAddress, uInt(rawLength)) }
        return Stripe(bytes: out, adler: adler, rawLength: rawLength)
    }

    /// Writes the PNG file to `path`.
    public func write(to path: String) throws {
        do { try data().write(to: URL(fileURLWithPath: path)) } catch let e as RenderError { throw e } catch {
            throw RenderError("cannot write \(path): \(error.localizedDescription)")
        }
    }

    /// The PNG file's bytes.
    public func data() throws -> Data {
        // The zlib stream: header (deflate, 32 KB window, "fast" level), stripes, Adler-32.
        var z: [UInt8] = [0x78, 0x5E]
        z.reserveCapacity(stripes.reduce(6) { $0 + $1.bytes.count })
        var adler: UInt = 1
        for s in stripes {
            z += s.bytes
            adler = adler32_combine(adler, s.adler, off_t(s.rawLength))
        }
        z += [UInt8(adler >> 24 & 0xFF), UInt8(adler >> 16 & 0xFF), UInt8(adler >> 8 & 0xFF), UInt8(adler & 0xFF)]

        guard let png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nil, nil, nil) else {
            throw RenderError("cannot encode PNG: libpng could not start")
        }
        var info = png_create_info_struct(png)
        var pngOpt: png_structp? = png
        defer { png_destroy_write_struct(&pngOpt, &info) }
        let sink = PNGSink()
        let box = Unmanaged.passUnretained(sink).toOpaque()
        png_set_write_fn(png, box, { p, bytes, count in
            guard let p, let bytes, let io = png_get_io_ptr(p) else { return }
            Unmanaged<PNGSink>.fromOpaque(io).takeUnretainedValue().data.append(bytes, count: count)
        }, nil)
        png_set_IHDR(png, info, png_uint_32(width), png_uint_32(height), 8, PNG_COLOR_TYPE_RGB,
                     PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT)
        png_write_info(png, info)
        // IDAT chunks of at most 1 MiB, as common writers do.
        let chunk = 1 << 20
        z.withUnsafeBufferPointer { all in
            var offset = 0
            while offset < all.count {
                let n = min(chunk, all.count - offset)
                png_write_chunk(png, Self.idat, all.baseAddress! + offset, n)
                offset += n
            }
        }
        png_write_chunk(png, Self.iend, nil, 0)
        return sink.data
    }
}

private final class PNGSink {
    var data = Data()
}
