/// Places labels next to their anchors without overlaps, most important first:
/// each label tries eight positions around its dot and takes the first that collides
/// with nothing already placed (labels, reserved panels, and the dots of places at least as
/// important) and stays inside the bounds. A big city's name may cover a village's dot; a
/// village's name never covers a city.
public struct LabelPlacer {
    public struct Request {
        public let id: String
        public let anchor: Point
        /// Radius of the dot the label belongs to.
        public let radius: Double
        public let size: Size
        public let priority: Double
        public init(id: String, anchor: Point, radius: Double, size: Size, priority: Double) {
            self.id = id; self.anchor = anchor; self.radius = radius; self.size = size; self.priority = priority
        }
    }

    public struct Placement: Equatable {
        public let id: String
        public let rect: Rect
    }

    public let bounds: Rect
    public private(set) var obstacles: [Rect]
    public var gap: Double = 2

    public init(bounds: Rect, obstacles: [Rect] = []) {
        self.bounds = bounds; self.obstacles = obstacles
    }

    /// Candidate rectangles in order of cartographic preference: right, left, above,
    /// below, then the diagonals.
    func candidates(_ r: Request) -> [Rect] {
        let w = r.size.width, h = r.size.height, a = r.anchor, d = r.radius + gap
        return [
            Rect(x: a.x + d, y: a.y - h / 2, width: w, height: h),
            Rect(x: a.x - d - w, y: a.y - h / 2, width: w, height: h),
            Rect(x: a.x - w / 2, y: a.y - d - h, width: w, height: h),
            Rect(x: a.x - w / 2, y: a.y + d, width: w, height: h),
            Rect(x: a.x + d * 0.7, y: a.y - d * 0.7 - h, width: w, height: h),
            Rect(x: a.x - d * 0.7 - w, y: a.y - d * 0.7 - h, width: w, height: h),
            Rect(x: a.x + d * 0.7, y: a.y + d * 0.7, width: w, height: h),
            Rect(x: a.x - d * 0.7 - w, y: a.y + d * 0.7, width: w, height: h),
        ]
    }

    /// Places as many labels as fit.
    public mutating func place(_ requests: [Request]) -> [Placement] {
        var placed: [Placement] = []
        let grid = CollisionGrid(bounds: bounds, cell: 48)
        for o in obstacles { grid.insert(o) }
        let ordered = requests.enumerated().sorted {
            $0.element.priority != $1.element.priority ? $0.element.priority > $1.element.priority : $0.offset < $1.offset
        }.map(\.element)
        for r in ordered {
            let own = Rect(x: r.anchor.x - r.radius, y: r.anchor.y - r.radius, width: 2 * r.radius, height: 2 * r.radius)
            grid.insert(own)
            for c in candidates(r) where bounds.contains(c) {
                let padded = Rect(x: c.x - 1, y: c.y - 1, width: c.width + 2, height: c.height + 2)
                if grid.collides(padded, ignoring: own) { continue }
                grid.insert(c)
                placed.append(Placement(id: r.id, rect: c))
                break
            }
        }
        obstacles += placed.map(\.rect)
        return placed
    }
}

/// A uniform grid of rectangles for fast overlap tests.
final class CollisionGrid {
    let bounds: Rect
    let cell: Double
    let cols: Int, rows: Int
    var buckets: [[Rect]]

    init(bounds: Rect, cell: Double) {
        self.bounds = bounds; self.cell = cell
        cols = max(1, Int((bounds.width / cell).rounded(.up)) + 1)
        rows = max(1, Int((bounds.height / cell).rounded(.up)) + 1)
        buckets = Array(repeating: [], count: cols * rows)
    }

    private func range(_ r: Rect) -> (ClosedRange<Int>, ClosedRange<Int>) {
        func clamp(_ v: Int, _ n: Int) -> Int { min(max(v, 0), n - 1) }
        let c0 = clamp(Int(((r.x - bounds.x) / cell).rounded(.down)), cols)
        let c1 = clamp(Int(((r.maxX - bounds.x) / cell).rounded(.down)), cols)
        let r0 = clamp(Int(((r.y - bounds.y) / cell).rounded(.down)), rows)
        let r1 = clamp(Int(((r.maxY - bounds.y) / cell).rounded(.down)), rows)
        return (c0...c1, r0...r1)
    }

    func insert(_ r: Rect) {
        let (cs, rs) = range(r)
        for row in rs { for col in cs { buckets[row * cols + col].append(r) } }
    }

    func collides(_ r: Rect, ignoring: Rect? = nil) -> Bool {
        let (cs, rs) = range(r)
        for row in rs {
            for col in cs {
                for o in buckets[row * cols + col] where o != ignoring && o.intersects(r) { return true }
            }
        }
        return false
    }
}
