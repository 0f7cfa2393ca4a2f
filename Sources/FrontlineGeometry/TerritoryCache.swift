import Crypto
import Foundation
import FrontlineData
#if canImport(Glibc)
import Glibc
#endif

/// A folder of computed territory kept between runs: the cells of a set of places (which depend
/// only on where the places are, the basemap and the method's parameters) and the dissolved
/// territory of a snapshot. Rebuilding them is most of a `render`; reading them back is a few
/// milliseconds.
///
/// * **Keys** are SHA-256 digests of everything that shapes the result: the bytes of the data
///   files the builder reads (`dataset.json`, `places.csv`, `zones.csv`, the basemap's countries,
///   rivers, sparse land and settlements), the program that computes it (its size and modification
///   time, so a rebuilt binary never trusts an older one's entries), the cache format, and the set
///   of places or the snapshot's controllers. Editing any input simply makes new keys.
/// * **Entries** are written to a temporary file and renamed into place, so a reader sees a whole
///   entry or none and concurrent runs never corrupt one another. Each entry repeats its key and
///   carries the SHA-256 of its payload: a truncated, corrupt or foreign file is ignored (and
///   rebuilt), never trusted.
/// * **The folder** is `$XDG_CACHE_HOME/frontline` (else `~/.cache/frontline`), created with mode
///   0700. If it is not a real folder owned by this user, the cache is off for the run.
/// * **Size** is bounded: past `byteLimit` the oldest entries are removed.
public final class TerritoryCache: @unchecked Sendable {
    /// Bumped whenever the encoding or the method changes in a way the inputs do not show.
    public static let formatVersion = 1
    static let magic: [UInt8] = Array("FLCACHE1".utf8)

    public let directory: String
    public let byteLimit: Int
    /// Digest of the inputs shared by every key of this dataset.
    let inputs: SHA256Digest
    private var writes = 0
    private let lock = NSLock()

    /// The user's cache folder for frontline: `$XDG_CACHE_HOME/frontline`, else `~/.cache/frontline`.
    public static var defaultDirectory: String? {
        let env = ProcessInfo.processInfo.environment
        if let x = env["XDG_CACHE_HOME"], x.hasPrefix("/") { return x + "/frontline" }
        if let home = env["HOME"], !home.isEmpty { return home + "/.cache/frontline" }
        return nil
    }

    /// Opens (creating if needed) the cache for `dataset` in `directory`. Throws `CacheProblem`
    /// when the folder cannot be used safely; callers then run without a cache.
    public init(dataset: Dataset, directory: String? = nil, byteLimit: Int = 512 << 20) throws {
        guard let dir = directory ?? TerritoryCache.defaultDirectory else {
            throw CacheProblem("no cache folder: neither XDG_CACHE_HOME nor HOME is set")
        }
        try TerritoryCache.makeSafeDirectory(dir)
        self.directory = dir
        self.byteLimit = byteLimit
        var h = SHA256()
        h.update(data: Array("frontline-cache \(TerritoryCache.formatVersion)\n".utf8))
        h.update(data: Array(TerritoryCache.programIdentity.utf8))
        for rel in ["dataset.json", "places.csv", "zones.csv", "basemap/countries.geojson",
                    "basemap/rivers.geojson", "basemap/sparse.geojson", "basemap/settlements.csv"] {
            h.update(data: Array("\n\(rel)\n".utf8))
            if let bytes = FileManager.default.contents(atPath: dataset.directory + "/" + rel) {
                h.update(data: Array("\(bytes.count)\n".utf8))
                h.update(data: bytes)
            } else {
                h.update(data: Array("missing\n".utf8))
            }
        }
        inputs = h.finalize()
    }

    /// The running program, as size and modification time of its executable.
    static let programIdentity: String = {
        let path = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments.first ?? "?"
        var st = stat()
        guard stat(path, &st) == 0 else { return path }
        return "\(path) \(st.st_size) \(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)"
    }()

    /// Creates `dir` (and missing parents) with mode 0700, and checks that it is a folder, not a
    /// symbolic link, owned by this user and not writable by others.
    static func makeSafeDirectory(_ dir: String) throws {
        var st = stat()
        if lstat(dir, &st) != 0 {
            let parent = (dir as NSString).deletingLastPathComponent
            if !parent.isEmpty && parent != dir && lstat(parent, &st) != 0 {
                try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
            }
            if mkdir(dir, 0o700) != 0 && errno != EEXIST {
                throw CacheProblem("\(dir): cannot create the cache folder: \(String(cString: strerror(errno)))")
            }
        }
        guard lstat(dir, &st) == 0 else { throw CacheProblem("\(dir): cannot read the cache folder") }
        guard (st.st_mode & S_IFMT) == S_IFDIR else { throw CacheProblem("\(dir): not a folder (or a symbolic link)") }
        guard st.st_uid == geteuid() else { throw CacheProblem("\(dir): owned by another user") }
        guard st.st_mode & 0o022 == 0 else { throw CacheProblem("\(dir): writable by other users") }
    }

    /// The key of an entry of `kind` described by `parts` (e.g. sorted place ids).
    func key(_ kind: String, _ parts: [String]) -> String {
        var h = SHA256()
        h.update(data: Array(inputs))
        h.update(data: Array("\n\(kind)\n".utf8))
        for p in parts { h.update(data: Array(p.utf8)); h.update(data: [0]) }
        return kind + "-" + h.finalize().map { String(format: "%02x", $0) }.joined()
    }

    private func path(_ key: String) -> String { directory + "/" + key + ".bin" }

    /// The payload stored under `key`, or nil when there is none or it does not check out.
    func read(_ key: String) -> [UInt8]? {
        guard let data = FileManager.default.contents(atPath: path(key)) else { return nil }
        let bytes = [UInt8](data), m = TerritoryCache.magic.count, k = Array(key.utf8)
        let head = m + 4 + k.count + 8 + 32
        guard bytes.count >= head, Array(bytes[0..<m]) == TerritoryCache.magic else { return nil }
        var r = ByteReader(bytes[m...])
        guard let klen = try? r.u32(), Int(klen) == k.count, (try? r.bytes(k.count)) == k,
              let length = try? r.u64(), let digest = try? r.bytes(32),
              bytes.count == head + Int(length) else { return nil }
        let payload = Array(bytes[head...])
        guard Array(SHA256.hash(data: payload)) == digest else { return nil }
        return payload
    }

    /// Stores `payload` under `key`: written to a temporary file, then renamed into place.
    /// Failures are ignored: the cache only ever saves time.
    func write(_ key: String, _ payload: [UInt8]) {
        var w = ByteWriter()
        w.raw(TerritoryCache.magic)
        let k = Array(key.utf8)
        w.u32(UInt32(k.count)); w.raw(k)
        w.u64(UInt64(payload.count)); w.raw(Array(SHA256.hash(data: payload)))
        w.raw(payload)
        let tmp = directory + "/.tmp-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { return }
        let ok = w.bytes.withUnsafeBytes { buf -> Bool in
            var done = 0
            while done < buf.count {
                let n = Glibc.write(fd, buf.baseAddress! + done, buf.count - done)
                if n <= 0 { return false }
                done += n
            }
            return true
        }
        close(fd)
        guard ok, rename(tmp, path(key)) == 0 else { unlink(tmp); return }
        lock.lock(); writes += 1; let n = writes; lock.unlock()
        if n == 1 || n % 64 == 0 { prune() }
    }

    /// Removes the oldest entries (and stale temporary files) while the folder holds more than
    /// `byteLimit` bytes.
    public func prune() {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: directory) else { return }
        var entries: [(path: String, size: Int, time: Date)] = []
        var total = 0
        for name in names {
            let p = directory + "/" + name
            guard let a = try? fm.attributesOfItem(atPath: p), (a[.type] as? FileAttributeType) == .typeRegular,
                  let size = a[.size] as? Int, let time = a[.modificationDate] as? Date else { continue }
            if name.hasPrefix(".tmp-") {
                if time.timeIntervalSinceNow < -3600 { unlink(p) }
                continue
            }
            guard name.hasSuffix(".bin") else { continue }
            entries.append((p, size, time)); total += size
        }
        guard total > byteLimit else { return }
        for e in entries.sorted(by: { $0.time < $1.time }) where total > byteLimit * 3 / 4 {
            if unlink(e.path) == 0 { total -= e.size }
        }
    }

    /// Removes every entry.
    public func clear() {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for n in names where n.hasSuffix(".bin") || n.hasPrefix(".tmp-") { unlink(directory + "/" + n) }
    }
}

/// Why a cache folder cannot be used.
public struct CacheProblem: Error, CustomStringConvertible {
    public let description: String
    init(_ d: String) { description = d }
}

// MARK: a small binary encoding for entries

struct ByteWriter {
    var bytes: [UInt8] = []
    mutating func raw(_ b: [UInt8]) { bytes.append(contentsOf: b) }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func f64(_ v: Double) { u64(v.bitPattern) }
    mutating func string(_ s: String) { let b = Array(s.utf8); u32(UInt32(b.count)); raw(b) }
    mutating func blob(_ b: [UInt8]) { u32(UInt32(b.count)); raw(b) }
    mutating func strings(_ a: [String]) { u32(UInt32(a.count)); for s in a { string(s) } }
    mutating func polygons(_ ps: [PolygonXY]) {
        u32(UInt32(ps.count))
        for p in ps {
            u32(UInt32(p.count))
            for ring in p { u32(UInt32(ring.count)); for q in ring { f64(q.x); f64(q.y) } }
        }
    }
}

struct ByteReader {
    struct Truncated: Error {}
    let data: ArraySlice<UInt8>
    var at: Int
    init(_ b: ArraySlice<UInt8>) { data = b; at = b.startIndex }
    init(_ b: [UInt8]) { self.init(b[...]) }
    var atEnd: Bool { at == data.endIndex }
    mutating func bytes(_ n: Int) throws -> [UInt8] {
        guard n >= 0, data.endIndex - at >= n else { throw Truncated() }
        defer { at += n }
        return Array(data[at..<at + n])
    }
    mutating func u32() throws -> UInt32 {
        let b = try bytes(4)
        return UInt32(b[0]) | UInt32(b[1]) << 8 | UInt32(b[2]) << 16 | UInt32(b[3]) << 24
    }
    mutating func u64() throws -> UInt64 {
        let lo = UInt64(try u32()), hi = UInt64(try u32())
        return lo | hi << 32
    }
    mutating func f64() throws -> Double { Double(bitPattern: try u64()) }
    /// A count, refused when it could not fit in what is left (a corrupt length).
    mutating func count(each: Int) throws -> Int {
        let n = Int(try u32())
        guard n * max(each, 1) <= data.endIndex - at else { throw Truncated() }
        return n
    }
    mutating func string() throws -> String {
        let n = try count(each: 1)
        guard let s = String(bytes: try bytes(n), encoding: .utf8) else { throw Truncated() }
        return s
    }
    mutating func blob() throws -> [UInt8] { try bytes(try count(each: 1)) }
    mutating func strings() throws -> [String] { try (0..<count(each: 4)).map { _ in try string() } }
    mutating func polygons() throws -> [PolygonXY] {
        try (0..<count(each: 4)).map { _ in
            try (0..<count(each: 4)).map { _ in try (0..<count(each: 16)).map { _ in XY(try f64(), try f64()) } }
        }
    }
}
