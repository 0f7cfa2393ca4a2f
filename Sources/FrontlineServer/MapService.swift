import Foundation
import FrontlineData
import FrontlineGeometry
import FrontlineRender

/// How much the server keeps in memory. Every cache is bounded, so memory stays flat however
/// many days are asked for.
public struct CacheLimits: Sendable {
    /// Derived territories, per distinct snapshot (and per kind: for drawing, or measured with people).
    public var territories = 48
    /// Drawn maps without their title, per snapshot and view; each costs width × height × 4 bytes.
    public var baseBytes = 64 << 20
    /// Encoded answers (PNG, SVG, PDF, GeoJSON), by request.
    public var responseBytes = 64 << 20
    /// Renderers, one per view (region, size, theme, labels).
    public var views = 12
    /// Comparisons of two dates.
    public var comparisons = 6
    public init() {}
}

/// One map view: a renderer prepared for a region and size, with where its pixels fall.
final class MapView {
    let renderer: MapRenderer
    let visible: GeoBox
    init(renderer: MapRenderer, visible: GeoBox) { self.renderer = renderer; self.visible = visible }
}

/// A drawn map without its title, shared by every day of a snapshot. Cairo surfaces are not
/// safe to read from two threads at once, so copies are made one at a time.
final class BaseImage {
    private let canvas: CairoCanvas
    private let lock = NSLock()
    init(_ canvas: CairoCanvas) { self.canvas = canvas }
    func withCanvas<T>(_ body: (CairoCanvas) throws -> T) rethrows -> T {
        lock.lock(); defer { lock.unlock() }
        return try body(canvas)
    }
}

struct ViewKey: Hashable {
    let region: MapRegion
    let width: Int, height: Int
    let theme: String
    let labels: LabelLanguage
    /// Maps of a day leave their title for each day to draw; change maps draw their own.
    let undated: Bool
    /// No title or legend panel (the page shows its own).
    var bare = false
}

struct TerritoryKey: Hashable {
    let controllers: [String: ControllerID]
    /// Measured with people and with banks and countries joined, as `stats` and `export` are;
    /// otherwise as drawn (as `render` derives it).
    let measured: Bool
}

struct BaseKey: Hashable {
    let view: ViewKey
    /// The last event on or before the day: it fixes the snapshot and the towns labelled first.
    let epoch: Day
}

/// A request for a map image, validated.
public struct MapRequest: Sendable, Hashable {
    public var day: Day
    public var compare: Day?
    public var region: MapRegion
    public var size: Size
    public var format: OutputFormat
    public var theme: String
    public var labels: LabelLanguage
    /// Without the title and legend panels.
    public var bare: Bool

    public init(day: Day, compare: Day? = nil, region: MapRegion = .all, size: Size = Size(1280, 960),
                format: OutputFormat = .png, theme: String = "wikipedia", labels: LabelLanguage = .en, bare: Bool = false) {
        self.day = day; self.compare = compare; self.region = region; self.size = size
        self.format = format; self.theme = theme; self.labels = labels; self.bare = bare
    }

    var view: ViewKey {
        ViewKey(region: region, width: Int(size.width), height: Int(size.height), theme: theme, labels: labels,
                undated: compare == nil, bare: bare)
    }

    /// Names the answer fully, for the response cache and the ETag.
    var key: String {
        "map|\(day)|\(compare.map(\.iso) ?? "")|\(region)|\(Int(size.width))x\(Int(size.height))|\(format.rawValue)|\(theme)|\(labels.rawValue)|\(bare ? "bare" : "panels")"
    }
}

/// The data, loaded once, and everything derived from it on demand: territory per snapshot,
/// drawn maps, comparisons, reports. Blocking work runs on a pool of workers (one per core),
/// each with its own GEOS context and PROJ projections; nothing GEOS or PROJ owns is shared
/// between threads.
public final class MapService: @unchecked Sendable {
    public let dataset: Dataset
    /// Identifies the data and the program: part of every ETag, so a changed timeline or a
    /// new build never answers with a stale 304.
    public let fingerprint: String
    let pool: WorkerPool
    let scratch: String
    let limits: CacheLimits

    let territories: BoundedCache<TerritoryKey, Territory>
    let views: BoundedCache<ViewKey, MapView>
    let bases: BoundedCache<BaseKey, BaseImage>
    let responses: BoundedCache<String, Data>
    let comparisons: BoundedCache<[Day], Comparison>

    static let version = "frontline-serve-1"

    public init(dataset: Dataset, workers: Int = ProcessInfo.processInfo.activeProcessorCount, limits: CacheLimits = CacheLimits()) throws {
        self.dataset = dataset
        self.limits = limits
        let n = max(1, workers)
        var made = [Result<Worker, Error>?](repeating: nil, count: n)
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: n) { i in
            let r = Result { try Worker(dataset: dataset) }
            lock.lock(); made[i] = r; lock.unlock()
        }
        pool = WorkerPool(workers: try made.map { try $0!.get() })
        territories = BoundedCache(maxCount: limits.territories)
        views = BoundedCache(maxCount: limits.views)
        bases = BoundedCache(maxCount: 64, maxCost: limits.baseBytes)
        responses = BoundedCache(maxCount: 4096, maxCost: limits.responseBytes)
        comparisons = BoundedCache(maxCount: limits.comparisons)
        let dir = NSTemporaryDirectory() + "/frontline-serve-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        scratch = dir
        var hash = FNV1a()
        hash.add(Self.version)
        for e in dataset.timeline.events { hash.add("\(e.date)|\(e.place)|\(e.controller)|\(e.source)|\(e.note)\n") }
        for p in dataset.gazetteer.places { hash.add("\(p.id)|\(p.name)|\(p.nameAr)|\(p.coordinate.lon)|\(p.coordinate.lat)\n") }
        for f in dataset.factions.factions { hash.add("\(f.id)|\(f.name)|\(f.colours.sorted { $0.key < $1.key }.map { "\($0.key)\($0.value.fill.hex)\($0.value.dot.hex)" })\n") }
        fingerprint = hash.hex
    }

    deinit { try? FileManager.default.removeItem(atPath: scratch) }

    public var coverage: (from: Day, to: Day) { (dataset.info.coverageFrom, dataset.info.coverageTo) }

    /// The day the snapshot in force on `day` began: its last event on or before it.
    func epoch(of day: Day) -> Day {
        let events = dataset.timeline.events
        var lo = 0, hi = events.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if events[mid].date <= day { lo = mid + 1 } else { hi = mid }
        }
        return lo == 0 ? dataset.info.coverageFrom : events[lo - 1].date
    }

    // MARK: derived data (called on a worker)

    func territory(_ snapshot: ControlSnapshot, measured: Bool, worker: Worker) throws -> Territory {
        let t = try territories.value(for: TerritoryKey(controllers: snapshot.controllers, measured: measured)) {
            let t = try worker.builder.build(snapshot, people: measured, merged: measured)
            return (t, 0)
        }
        return t.dated(snapshot.day)
    }

    func view(_ key: ViewKey) throws -> MapView {
        try views.value(for: key) {
            var options = MapOptions(size: Size(Double(key.width), Double(key.height)), region: key.region,
                                     theme: key.theme, labels: key.labels)
            options.deferTitle = key.undated
            options.bare = key.bare
            // A projection of its own: the renderer is shared by threads once made, and only
            // its initialiser and `visibleBox` (called here) use PROJ.
            let renderer = try MapRenderer(dataset: dataset, projection: try Projection.regionalEqualArea(), options: options)
            return (MapView(renderer: renderer, visible: renderer.visibleBox()), 0)
        }
    }

    func comparison(from: Day, to: Day, worker: Worker) throws -> Comparison {
        try comparisons.value(for: [from, to]) { (try worker.builder.compare(from: from, to: to), 0) }
    }

    // MARK: answers

    /// How much work a map answer took: `cached` (the answer was kept), `dated` (the drawn map of its
    /// snapshot was kept: only the title drawn and the PNG encoded), `drawn` (territory or map made).
    public enum MapWork: String, Sendable { case cached, dated, drawn }

    /// The map image for a request (PNG, SVG or PDF bytes).
    public func map(_ request: MapRequest) async throws -> Data { try await mapWithWork(request).data }

    public func mapWithWork(_ request: MapRequest) async throws -> (data: Data, work: MapWork) {
        let key = request.key
        if let data = responses.cached(key) { return (data, .cached) }
        return try await pool.run { worker in
            var work = MapWork.cached
            let data = try self.responses.value(for: key) {
                let (data, w) = try self.drawMap(request, worker: worker)
                work = w
                return (data, data.count)
            }
            return (data, work)
        }
    }

    func drawMap(_ request: MapRequest, worker: Worker) throws -> (Data, MapWork) {
        let view = try self.view(request.view)
        let renderer = view.renderer
        if let earlier = request.compare {
            let c = try comparison(from: earlier, to: request.day, worker: worker)
            return (try renderer.changeImage(c, format: request.format, scratch: scratch), .drawn)
        }
        let snapshot = dataset.timeline.snapshot(on: request.day)
        let territory = try self.territory(snapshot, measured: false, worker: worker)
        guard request.format == .png else {
            return (try renderer.image(territory: territory, snapshot: snapshot, format: request.format, scratch: scratch), .drawn)
        }
        let epoch = self.epoch(of: request.day)
        var work = MapWork.dated
        let base = try bases.value(for: BaseKey(view: request.view, epoch: epoch)) {
            work = .drawn
            let first = ControlSnapshot(day: epoch, controllers: snapshot.controllers)
            let canvas = try renderer.undatedImage(territory: territory.dated(epoch), snapshot: first)
            return (BaseImage(canvas), Int(request.size.width * request.size.height) * 4)
        }
        return (try base.withCanvas { try renderer.datedPNG($0, day: request.day) }, work)
    }

    /// Where the map of a region and size shows: the box it covers and each place's pixel.
    public func viewJSON(region: MapRegion, size: Size) async throws -> String {
        try await pool.run { _ in
            let view = try self.view(ViewKey(region: region, width: Int(size.width), height: Int(size.height),
                                              theme: "wikipedia", labels: .en, undated: true))
            let v = view.visible
            func c(_ x: Double) -> String { String(format: "%.4f", x) }
            let positions = self.dataset.gazetteer.places.compactMap { p -> String? in
                guard let pt = view.renderer.placePositions[p.id] else { return nil }
                return "\(GeoJSON.jsonString(p.id)): [\(String(format: "%.1f", pt.x)), \(String(format: "%.1f", pt.y))]"
            }
            return "{\"region\": \"\(region)\", \"size\": \"\(Int(size.width))x\(Int(size.height))\", "
                + "\"visible\": [\(c(v.minLon)), \(c(v.minLat)), \(c(v.maxLon)), \(c(v.maxLat))], "
                + "\"km_per_pixel\": \(String(format: "%.4f", view.renderer.frame.metresPerPixel / 1000)), "
                + "\"places\": {\(positions.joined(separator: ", "))}}\n"
        }
    }

    /// The same JSON as `frontline stats --date D --format json`.
    public func statsJSON(_ day: Day) async throws -> String {
        try await pool.run { worker in
            TerritoryReport.statsJSON(try self.territory(self.dataset.timeline.snapshot(on: day), measured: true, worker: worker), dataset: self.dataset)
        }
    }

    /// The same GeoJSON as `frontline export --date D`.
    public func territoryGeoJSON(_ day: Day) async throws -> Data {
        let key = "territory|\(day)"
        if let data = responses.cached(key) { return data }
        return try await pool.run { worker in
            try self.responses.value(for: key) {
                let t = try self.territory(self.dataset.timeline.snapshot(on: day), measured: true, worker: worker)
                let data = Data(try TerritoryReport.geoJSON(t, builder: worker.builder).text.utf8)
                return (data, data.count)
            }
        }
    }

    /// The same JSON as `frontline compare D1 D2 --report x.json`.
    public func compareJSON(from: Day, to: Day) async throws -> String {
        try await pool.run { worker in try self.comparison(from: from, to: to, worker: worker).json(dataset: self.dataset) }
    }
}

/// 64-bit FNV-1a, for ETags: stable across runs, unlike Swift's `Hasher`.
struct FNV1a {
    var value: UInt64 = 0xcbf29ce484222325
    mutating func add(_ s: String) {
        for b in s.utf8 { value = (value ^ UInt64(b)) &* 0x100000001b3 }
    }
    var hex: String {
        let s = String(value, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
