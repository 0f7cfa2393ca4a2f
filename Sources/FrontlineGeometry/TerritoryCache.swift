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
    /// The data folder whose files the keys cover.
    public let dataDirectory: String
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
    public convenience init(dataset: Dataset, directory: String? = nil, byteLimit: Int = 512 << 20) throws {
        try self.init(dataDirectory: dataset.directory, directory: directory, byteLimit: byteLimit)
    }

    /// Opens the cache for the data folder `dataDirectory` before its data is loaded (so that the
    /// load can read parsed basemap layers from it).
    public init(dataDirectory: String, directory: String? = nil, byteLimit: Int = 512 << 20) throws {
        self.dataDirectory = dataDirectory
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
            if let bytes = FileManager.default.contents(atPath: dataDirectory + "/" + rel) {
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
        let bytes = w.bytes
        store(key) { fd in bytes.withUnsafeBytes { TerritoryCache.writeAll(fd, $0) } }
    }

    // MARK: large raw entries, read in place

    static let rawMagic: [UInt8] = Array("FLRAWPX1".utf8)
    /// Raw entries keep their payload at this offset, so that a mapped payload is page-aligned.
    static let rawPayloadOffset = 4096

    /// The key of an entry of `kind` that also depends on the bytes of `files` of the dataset
    /// beyond those every key covers (e.g. the basemap layers only maps draw).
    public func key(_ kind: String, _ parts: [String], alsoReading files: [String], in dataset: Dataset) -> String {
        var h = SHA256()
        for rel in files {
            h.update(data: Array("\n\(rel)\n".utf8))
            if let bytes = FileManager.default.contents(atPath: dataset.directory + "/" + rel) { h.update(data: bytes) }
        }
        return key(kind, parts + [h.finalize().map { String(format: "%02x", $0) }.joined()])
    }

    /// The payload of the raw entry `key`, mapped read-only from its file, when it is there, is
    /// `length` bytes long and its checksum holds; nil otherwise (a corrupt entry is not trusted).
    public func readMapped(_ key: String, length: Int) -> MappedPayload? {
        let fd = open(path(key), O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        let k = Array(key.utf8), m = TerritoryCache.rawMagic.count
        guard fstat(fd, &st) == 0, Int(st.st_size) == TerritoryCache.rawPayloadOffset + length,
              m + 4 + k.count + 16 <= TerritoryCache.rawPayloadOffset,
              let base = mmap(nil, Int(st.st_size), PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0), base != MAP_FAILED else { return nil }
        let mapped = MappedPayload(base: base, mappedLength: Int(st.st_size), offset: TerritoryCache.rawPayloadOffset)
        let head = [UInt8](UnsafeRawBufferPointer(start: base, count: m + 4 + k.count + 16))
        var r = ByteReader(head)
        guard (try? r.bytes(m)) == TerritoryCache.rawMagic, let klen = try? r.u32(), Int(klen) == k.count,
              (try? r.bytes(k.count)) == k, let stored = try? r.u64(), Int(stored) == length,
              let sum = try? r.u64(), TerritoryCache.checksum(mapped.payload) == sum else { return nil }
        return mapped
    }

    /// Stores `payload` as a raw entry (see `readMapped`): written to a temporary file, then
    /// renamed into place. Failures are ignored.
    public func writeRaw(_ key: String, _ payload: UnsafeRawBufferPointer) {
        var w = ByteWriter()
        w.raw(TerritoryCache.rawMagic)
        let k = Array(key.utf8)
        w.u32(UInt32(k.count)); w.raw(k)
        w.u64(UInt64(payload.count)); w.u64(TerritoryCache.checksum(payload))
        guard w.bytes.count <= TerritoryCache.rawPayloadOffset else { return }
        w.raw([UInt8](repeating: 0, count: TerritoryCache.rawPayloadOffset - w.bytes.count))
        let header = w.bytes
        store(key) { fd in
            header.withUnsafeBytes { TerritoryCache.writeAll(fd, $0) } && TerritoryCache.writeAll(fd, payload)
        }
    }

    /// A checksum of 64-bit words (two running sums, as Fletcher's), quick enough to check
    /// megabytes of pixels on every read: it catches truncation, zeroed pages and stray bytes.
    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var a: UInt64 = 1, b: UInt64 = 0
        let words = bytes.count / 8
        for i in 0..<words {
            a &+= bytes.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)
            b &+= a
        }
        for i in (words * 8)..<bytes.count { a &+= UInt64(bytes[i]); b &+= a }
        return a ^ (b << 1 | b >> 63) ^ UInt64(bytes.count)
    }

    static func writeAll(_ fd: Int32, _ buf: UnsafeRawBufferPointer) -> Bool {
        var done = 0
        while done < buf.count {
            let n = Glibc.write(fd, buf.baseAddress! + done, buf.count - done)
            if n <= 0 { return false }
            done += n
        }
        return true
    }

    /// Writes an entry through a temporary file renamed into place; prunes now and then.
    private func store(_ key: String, _ body: (Int32) -> Bool) {
        let tmp = directory + "/.tmp-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { return }
        let ok = body(fd)
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

extension TerritoryCache: ParseCache {
    private func basemapKey(_ file: String, _ bytes: Data) -> String {
        key("basemap", [file, SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()])
    }

    public func features(of file: String, bytes: Data) -> [GeoFeature]? {
        guard let payload = read(basemapKey(file, bytes)) else { return nil }
        var r = ByteReader(payload)
        guard let features = try? r.features(), r.atEnd else { return nil }
        return features
    }

    public func keep(_ features: [GeoFeature], of file: String, bytes: Data) {
        var w = ByteWriter()
        w.features(features)
        write(basemapKey(file, bytes), w.bytes)
    }

    /// Events are checked against the places, zones and factions: every key covers places.csv
    /// and zones.csv; this one covers factions.csv as well.
    private func eventsKey(_ file: String, _ bytes: Data) -> String {
        func hex(_ d: Data) -> String { SHA256.hash(data: d).map { String(format: "%02x", $0) }.joined() }
        let factions = FileManager.default.contents(atPath: dataDirectory + "/factions.csv") ?? Data()
        return key("events", [file, hex(bytes), hex(factions)])
    }

    public func events(of file: String, bytes: Data) -> [ControlEvent]? {
        guard let payload = read(eventsKey(file, bytes)) else { return nil }
        var r = ByteReader(payload)
        guard let n = try? r.count(each: 24) else { return nil }
        var out: [ControlEvent] = []
        out.reserveCapacity(n)
        for _ in 0..<n {
            guard let day = try? r.u64(), let place = try? r.string(), let controller = try? r.string(),
                  let source = try? r.string(), let note = try? r.string(), let line = try? r.u32() else { return nil }
            out.append(ControlEvent(date: Day(daysSinceEpoch: Int(Int64(bitPattern: day))), place: place, controller: controller,
                                    source: source, note: note, file: file, line: Int(line)))
        }
        return r.atEnd ? out : nil
    }

    public func keep(_ events: [ControlEvent], of file: String, bytes: Data) {
        var w = ByteWriter()
        w.u32(UInt32(events.count))
        for e in events {
            w.u64(UInt64(bitPattern: Int64(e.date.daysSinceEpoch)))
            w.string(e.place); w.string(e.controller); w.string(e.source); w.string(e.note)
            w.u32(UInt32(e.line))
        }
        write(eventsKey(file, bytes), w.bytes)
    }
}

/// A cache entry's payload mapped read-only into memory; unmapped when released.
public final class MappedPayload: @unchecked Sendable {
    private let base: UnsafeMutableRawPointer
    private let mappedLength: Int
    public let payload: UnsafeRawBufferPointer

    init(base: UnsafeMutableRawPointer, mappedLength: Int, offset: Int) {
        self.base = base
        self.mappedLength = mappedLength
        payload = UnsafeRawBufferPointer(start: base + offset, count: mappedLength - offset)
    }

    deinit { munmap(base, mappedLength) }
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
    mutating func coordinates(_ line: [Coordinate]) {
        u32(UInt32(line.count))
        for c in line { f64(c.lon); f64(c.lat) }
    }
    mutating func features(_ fs: [GeoFeature]) {
        u32(UInt32(fs.count))
        for f in fs {
            let props = f.properties.sorted { $0.key < $1.key }
            u32(UInt32(props.count))
            for (k, v) in props { string(k); string(v) }
            switch f.geometry {
            case .point(let c): u32(0); f64(c.lon); f64(c.lat)
            case .lineString(let l): u32(1); coordinates(l)
            case .multiLineString(let m): u32(2); u32(UInt32(m.count)); m.forEach { coordinates($0) }
            case .polygon(let p): u32(3); u32(UInt32(p.count)); p.forEach { coordinates($0) }
            case .multiPolygon(let m):
                u32(4); u32(UInt32(m.count))
                for p in m { u32(UInt32(p.count)); p.forEach { coordinates($0) } }
            }
        }
    }
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
    /// A little-endian integer read in place (a cached territory is thousands of them).
    private mutating func load<T: FixedWidthInteger>(_: T.Type) throws -> T {
        let n = MemoryLayout<T>.size
        guard data.endIndex - at >= n else { throw Truncated() }
        defer { at += n }
        return T(littleEndian: data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: at - data.startIndex, as: T.self) })
    }
    mutating func u32() throws -> UInt32 { try load(UInt32.self) }
    mutating func u64() throws -> UInt64 { try load(UInt64.self) }
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
    mutating func coordinates() throws -> [Coordinate] {
        try (0..<count(each: 16)).map { _ in Coordinate(lon: try f64(), lat: try f64()) }
    }
    mutating func lines() throws -> [[Coordinate]] { try (0..<count(each: 4)).map { _ in try coordinates() } }
    mutating func features() throws -> [GeoFeature] {
        try (0..<count(each: 12)).map { _ in
            var props: [String: String] = [:]
            for _ in 0..<(try count(each: 8)) { let k = try string(); props[k] = try string() }
            let geometry: GeoGeometry
            switch try u32() {
            case 0: geometry = .point(Coordinate(lon: try f64(), lat: try f64()))
            case 1: geometry = .lineString(try coordinates())
            case 2: geometry = .multiLineString(try lines())
            case 3: geometry = .polygon(try lines())
            case 4: geometry = .multiPolygon(try (0..<count(each: 4)).map { _ in try lines() })
            default: throw Truncated()
            }
            return GeoFeature(geometry: geometry, properties: props)
        }
    }
    mutating func polygons() throws -> [PolygonXY] {
        try (0..<count(each: 4)).map { _ in
            try (0..<count(each: 4)).map { _ in try (0..<count(each: 16)).map { _ in XY(try f64(), try f64()) } }
        }
    }
}
