import Foundation
import FrontlineData
import FrontlineGeometry

/// What a frame run did, for the command's last line.
public struct FrameReport: Sendable {
    public var total = 0
    public var written = 0
    public var skipped = 0
    public var distinctMaps = 0
    public var cancelled = false
}

/// Renders an animation: one PNG per day of a sequence, all with the same projection,
/// extent and layout, each with its date and a timeline strip (area per side over the whole
/// range, with a cursor at the frame's day).
///
/// Days whose snapshots are equal form a run; a run's territory is derived once and its map
/// drawn once, and each frame of the run only adds its date and cursor. Runs are produced in
/// order and at most a few are alive at a time, so memory stays flat however long the range.
public final class FrameSequence {
    public let dataset: Dataset
    public let days: [Day]
    public let options: MapOptions
    public let jobs: Int
    /// Where computed territory is kept between runs (nil: computed afresh).
    public let cache: TerritoryCache?
    let stripHeight: Double

    public init(dataset: Dataset, days: [Day], options: MapOptions, jobs: Int, cache: TerritoryCache? = nil) {
        self.dataset = dataset
        self.cache = cache
        self.days = days
        var o = options
        stripHeight = (110 * MapRenderer.unit(for: o.size)).rounded()
        o.reservedBottom = stripHeight
        o.deferTitle = true
        self.options = o
        self.jobs = max(1, jobs)
    }

    public static func fileName(_ index: Int) -> String {
        let n = String(index + 1)
        return "frame-" + String(repeating: "0", count: max(0, 5 - n.count)) + n + ".png"
    }

    /// True when `path` is a complete PNG of the expected size (for --resume).
    public static func isValidFrame(_ path: String, size: Size) -> Bool {
        guard let h = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? h.close() }
        let head = h.readData(ofLength: 24)
        guard head.count == 24, head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else { return false }
        let w = head[16..<20].reduce(0) { $0 << 8 | Int($1) }, ht = head[20..<24].reduce(0) { $0 << 8 | Int($1) }
        guard w == Int(size.width), ht == Int(size.height) else { return false }
        guard let end = try? h.seekToEnd(), end >= 12 else { return false }
        try? h.seek(toOffset: end - 8)
        return h.readData(ofLength: 8).starts(with: Array("IEND".utf8))
    }

    /// Writes the frames and `frames.csv` into `directory`.
    /// - Parameters:
    ///   - resume: skip frames already present and valid.
    ///   - progress: called on the main thread with (frames done, total).
    ///   - isCancelled: polled between frames; when true, no new frame starts.
    public func write(to directory: String, resume: Bool, progress: (Int, Int) -> Void,
                      isCancelled: @escaping () -> Bool) throws -> FrameReport {
        var report = FrameReport()
        report.total = days.count
        let builder = try TerritoryBuilder(dataset: dataset, cache: cache)
        let snapshots = days.map { dataset.timeline.snapshot(on: $0) }

        // Runs of equal snapshots, and the area series for the strip.
        var runs: [Range<Int>] = []
        var start = 0
        // A siege beginning or ending changes the map (its ring) without changing the territory.
        let sieges = days.map { day in dataset.sieges(on: day).map { "\($0.key)=\($0.value.besieger)" }.sorted() }
        for i in 1...days.count where i == days.count || snapshots[i].controllers != snapshots[i - 1].controllers
            || sieges[i] != sieges[i - 1] {
            runs.append(start..<i)
            start = i
        }
        report.distinctMaps = runs.count
        var series: [[ControllerID: Double]] = [], hinterland: [[ControllerID: Double]] = []
        for r in runs {
            let a = try builder.tierAreas(snapshots[r.lowerBound])
            series += Array(repeating: a.held, count: r.count)
            hinterland += Array(repeating: a.hinterland, count: r.count)
        }
        let strip = TimelineStrip(days: days, areas: series, hinterland: hinterland, factions: dataset.factions)

        try writeManifest(directory)

        // Renderers (with their own PROJ objects) are checked out by one worker at a time.
        let pool = RendererPool()
        for _ in 0..<jobs {
            let r = try MapRenderer(dataset: dataset, projection: try Projection.regionalEqualArea(), options: options)
            r.cachesStaticLayers = true
            r.layerCache = cache
            r.cachesSprites = true
            pool.put(r)
        }
        let group = DispatchGroup()
        let queue = DispatchQueue(label: "frontline.frames", attributes: .concurrent)
        let inFlight = DispatchSemaphore(value: jobs * 2)
        let lock = NSLock()
        var done = 0, written = 0, skipped = 0
        var firstError: Error?

        for run in runs {
            if isCancelled() { break }
            lock.lock(); let failed = firstError != nil; lock.unlock()
            if failed { break }
            let pending = run.filter { !(resume && FrameSequence.isValidFrame(directory + "/" + FrameSequence.fileName($0), size: options.size)) }
            if pending.isEmpty {
                lock.lock(); done += run.count; skipped += run.count; lock.unlock()
                progress(done, days.count)
                continue
            }
            let territory = try builder.build(snapshots[run.lowerBound], people: false, merged: false)
            let snapshot = snapshots[run.lowerBound]
            // Frames of a long run are split into chunks so that every core has work.
            let chunk = max(1, (pending.count + jobs - 1) / jobs)
            for part in stride(from: 0, to: pending.count, by: chunk).map({ Array(pending[$0..<min($0 + chunk, pending.count)]) }) {
                inFlight.wait()
                group.enter()
                queue.async {
                    defer { inFlight.signal(); group.leave() }
                    let renderer = pool.take()
                    defer { pool.put(renderer) }
                    do {
                        let base = try CairoCanvas(format: .png, size: self.options.size, path: nil)
                        renderer.draw(territory: territory, snapshot: snapshot, on: base)
                        strip.draw(on: base, renderer: renderer, height: self.stripHeight)
                        if part.count == 1, let i = part.first {
                            // A map of one frame (most days of a busy month): drawn and compressed once.
                            if isCancelled() { return }
                            try AtomicFile.write(to: directory + "/" + FrameSequence.fileName(i)) { tmp in
                                renderer.drawTitle(for: self.days[i], on: base)
                                strip.drawCursor(at: i, on: base, renderer: renderer, height: self.stripHeight)
                                try StripedPNG(single: base).write(to: tmp)
                            }
                            lock.lock(); written += 1; lock.unlock()
                            return
                        }
                        // Each frame differs from `base` only in its title and cursor: the other
                        // stripes of its PNG are compressed once, here.
                        let reference = try StripedPNG(base)
                        for i in part {
                            if isCancelled() { return }
                            let path = directory + "/" + FrameSequence.fileName(i)
                            try AtomicFile.write(to: path) { tmp in
                                let canvas = try CairoCanvas(format: .png, size: self.options.size, path: nil)
                                canvas.paint(base)
                                renderer.drawTitle(for: self.days[i], on: canvas)
                                strip.drawCursor(at: i, on: canvas, renderer: renderer, height: self.stripHeight)
                                try StripedPNG(pixelsOf: canvas, reusing: reference).write(to: tmp)
                            }
                            lock.lock(); written += 1; lock.unlock()
                        }
                    } catch {
                        lock.lock(); if firstError == nil { firstError = error }; lock.unlock()
                    }
                }
            }
            lock.lock(); done += run.count - pending.count; skipped += run.count - pending.count; let d = done + written; lock.unlock()
            progress(d, days.count)
        }
        while group.wait(timeout: .now() + .milliseconds(200)) == .timedOut {
            lock.lock(); let d = done + written; lock.unlock()
            progress(d, days.count)
        }
        if let firstError {
            throw RenderError("frames stopped after \(written) frame(s) written and \(skipped) kept (no partial frame left): \(firstError); fix the cause and rerun with --resume")
        }
        report.written = written
        report.skipped = skipped
        report.cancelled = isCancelled()
        progress(done + written, days.count)
        return report
    }

    func writeManifest(_ directory: String) throws {
        var text = "frame,date,file\n"
        for (i, d) in days.enumerated() { text += "\(i + 1),\(d),\(FrameSequence.fileName(i))\n" }
        try AtomicFile.write(Data(text.utf8), to: directory + "/frames.csv")
    }
}

final class RendererPool: @unchecked Sendable {
    private var free: [MapRenderer] = []
    private let lock = NSCondition()

    func put(_ r: MapRenderer) {
        lock.lock(); free.append(r); lock.signal(); lock.unlock()
    }

    func take() -> MapRenderer {
        lock.lock()
        while free.isEmpty { lock.wait() }
        let r = free.removeLast()
        lock.unlock()
        return r
    }
}

/// The strip under each frame: stacked area held by each side over the whole range (each side's
/// held land in its colour, its hinterland above it in the lighter tint), year or month ticks, and
/// a cursor at the frame's day.
struct TimelineStrip: @unchecked Sendable {
    let days: [Day]
    let areas: [[ControllerID: Double]]
    let hinterland: [[ControllerID: Double]]
    let order: [ControllerID]
    let maxTotal: Double

    init(days: [Day], areas: [[ControllerID: Double]], hinterland: [[ControllerID: Double]] = [], factions: FactionCatalog) {
        self.days = days
        self.areas = areas
        self.hinterland = hinterland.count == areas.count ? hinterland : Array(repeating: [:], count: areas.count)
        var ids = Set<ControllerID>()
        for a in areas { for (k, v) in a where v > 0 { ids.insert(k) } }
        order = ids.sorted { factions.order(of: $0) < factions.order(of: $1) }
        maxTotal = max(1, zip(areas, self.hinterland).map { $0.values.reduce(0, +) + $1.values.reduce(0, +) }.max() ?? 1)
    }

    func chartRect(_ canvas: Canvas, renderer: MapRenderer, height: Double) -> Rect {
        let u = renderer.unit
        let top = canvas.size.height - height
        return Rect(x: 150 * u, y: top + 22 * u, width: canvas.size.width - 150 * u - 24 * u, height: height - 48 * u)
    }

    func x(_ i: Int, _ r: Rect) -> Double {
        days.count <= 1 ? r.x + r.width / 2 : r.x + r.width * Double(i) / Double(days.count - 1)
    }

    func draw(on canvas: Canvas, renderer: MapRenderer, height: Double) {
        let u = renderer.unit, style = renderer.style
        let top = canvas.size.height - height
        canvas.fillRect(Rect(x: 0, y: top, width: canvas.size.width, height: height), Paint(hex: "#FAFAF7"))
        canvas.stroke([[Point(0, top), Point(canvas.size.width, top)]], style.panelEdge, width: 1 * u, dash: [], closed: false)
        let r = chartRect(canvas, renderer: renderer, height: height)
        let ls = style.font(12 * u, bold: true, colour: style.mutedText)
        let tiers = hinterland.contains { !$0.isEmpty }
        canvas.text(tiers ? "Held + hinterland" : "Area held", ls, at: Point(18 * u, r.y), halo: nil)
        let ss = style.font(10.5 * u, colour: style.mutedText)
        canvas.text("stacked, km²; max \(formatArea(maxTotal))", ss, at: Point(18 * u, r.y + 18 * u), halo: nil)
        canvas.text("\(days.first!.iso) – \(days.last!.iso)", ss, at: Point(18 * u, r.y + 34 * u), halo: nil)

        // Stacked bands, bottom to top in faction order.
        var lower = [Double](repeating: 0, count: days.count)
        let step = max(1, days.count / Int(max(1, r.width)))
        let idx = Array(stride(from: 0, to: days.count, by: step)) + (days.count > 1 && (days.count - 1) % step != 0 ? [days.count - 1] : [])
        for c in order {
            var upper = lower
            for i in 0..<days.count { upper[i] += areas[i][c] ?? 0 }
            func y(_ v: Double) -> Double { r.maxY - r.height * v / maxTotal }
            var ring = idx.map { Point(x($0, r), y(upper[$0])) }
            ring += idx.reversed().map { Point(x($0, r), y(lower[$0])) }
            if days.count == 1 {
                ring = [Point(r.x, y(upper[0])), Point(r.maxX, y(upper[0])), Point(r.maxX, y(lower[0])), Point(r.x, y(lower[0]))]
            }
            canvas.fill([ring], c == Controllers.contested ? style.contestedHatch : style.fill(c))
            canvas.stroke([idx.map { Point(x($0, r), y(upper[$0])) }], style.edge(c), width: 0.7 * u, dash: [], closed: false)
            lower = upper
            // The side's hinterland, stacked on its held land in the lighter tint.
            guard tiers, hinterland.contains(where: { ($0[c] ?? 0) > 0 }) else { continue }
            for i in 0..<days.count { upper[i] += hinterland[i][c] ?? 0 }
            var band = idx.map { Point(x($0, r), y(upper[$0])) }
            band += idx.reversed().map { Point(x($0, r), y(lower[$0])) }
            if days.count == 1 {
                band = [Point(r.x, y(upper[0])), Point(r.maxX, y(upper[0])), Point(r.maxX, y(lower[0])), Point(r.x, y(lower[0]))]
            }
            canvas.fill([band], renderer.hinterlandFill(c))
            lower = upper
        }
        canvas.strokeRect(r, style.panelEdge, width: 0.8 * u)

        // Ticks: years, or months for ranges under two years.
        let span = days.first!.days(until: days.last!)
        let ts = style.font(10.5 * u, colour: style.mutedText)
        for (i, d) in days.enumerated() {
            let isYear = d.month == 1 && d.day == 1
            let isMonth = d.day == 1
            let prevYearStart = i > 0 && days[i - 1].year != d.year
            let prevMonthStart = i > 0 && days[i - 1].month != d.month
            let tick = span > 730 ? (isYear || prevYearStart) : (isMonth || prevMonthStart)
            guard tick, i > 0 else { continue }
            let px = x(i, r)
            canvas.stroke([[Point(px, r.maxY), Point(px, r.maxY + 5 * u)]], style.panelEdge, width: 1 * u, dash: [], closed: false)
            let names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
            let label = span > 730 ? String(d.year) : names[d.month - 1] + (d.month == 1 ? " \(d.year)" : "")
            let s = canvas.measure(label, ts)
            canvas.text(label, ts, at: Point(px - s.width / 2, r.maxY + 5 * u), halo: nil)
        }
    }

    func drawCursor(at i: Int, on canvas: Canvas, renderer: MapRenderer, height: Double) {
        let u = renderer.unit
        let r = chartRect(canvas, renderer: renderer, height: height)
        let px = x(i, r)
        canvas.stroke([[Point(px, r.y - 2 * u), Point(px, r.maxY)]], Paint(hex: "#111111"), width: 2 * u, dash: [], closed: false)
        canvas.fill([[Point(px - 6 * u, r.y - 10 * u), Point(px + 6 * u, r.y - 10 * u), Point(px, r.y - 1 * u)]], Paint(hex: "#111111"))
        let st = renderer.style.font(11 * u, bold: true)
        let label = days[i].iso
        let s = canvas.measure(label, st)
        let lx = px + 6 * u + s.width > r.maxX ? px - 6 * u - s.width : px + 6 * u
        canvas.text(label, st, at: Point(lx, r.y + 2 * u), halo: Halo(Paint(hex: "#FAFAF7"), width: 3 * u))
    }
}
