import FrontlineData

/// A town changing hands between the two dates of a comparison.
public struct PlaceChange: Sendable, Hashable {
    public let place: String
    public let name: String
    public let date: Day
    public let from: ControllerID?
    public let to: ControllerID
    public let source: String
}

/// Land that passed from one controller to another between the two dates.
public struct AreaFlow: Sendable {
    public let from: ControllerID
    public let to: ControllerID
    public let polygons: [PolygonXY]
    public let areaKm2: Double
}

/// Area and population of one side at both dates.
public struct FactionDelta: Sendable, Hashable {
    public let id: ControllerID
    public let areaFrom: Double
    public let areaTo: Double
    public let populationFrom: Int
    public let populationTo: Int
    /// Hinterland at both dates (the held tier is `areaFrom`/`areaTo`).
    public var hinterlandFrom: Double = 0
    public var hinterlandTo: Double = 0
    public var deltaKm2: Double { areaTo - areaFrom }
    public var hinterlandDeltaKm2: Double { hinterlandTo - hinterlandFrom }
    public var populationDelta: Int { populationTo - populationFrom }
}

/// What changed between two dates: towns that changed hands (each change separately),
/// the land that moved between sides, and area and population per side.
public struct Comparison: Sendable {
    public let from: Day
    public let to: Day
    public let territoryFrom: Territory
    public let territoryTo: Territory
    /// Every change of hands strictly after the earlier date and up to the later one, in date order.
    public let changes: [PlaceChange]
    /// Land that changed hands, largest first; `unheld` stands for open desert.
    public let flows: [AreaFlow]
    public let factions: [FactionDelta]

    /// True when `to` is earlier than `from`: the comparison runs backwards in time.
    public var isReversed: Bool { to < from }
    public var isEmpty: Bool { from == to }

    public func gainedKm2(_ id: ControllerID) -> Double { flows.filter { $0.to == id }.reduce(0) { $0 + $1.areaKm2 } }
    public func lostKm2(_ id: ControllerID) -> Double { flows.filter { $0.from == id }.reduce(0) { $0 + $1.areaKm2 } }
}

extension TerritoryBuilder {
    /// Compares two dates. Either order is allowed; areas and flows always go from `from` to `to`.
    public func compare(from: Day, to: Day) throws -> Comparison {
        lock.lock(); defer { lock.unlock() }
        let t1 = try build(dataset.timeline.snapshot(on: from))
        let t2 = try build(dataset.timeline.snapshot(on: to))
        let early = min(from, to), late = max(from, to)
        let changes = dataset.timeline.changes(after: early, through: late).map { c in
            PlaceChange(place: c.event.place, name: dataset.name(of: c.event.place),
                        date: c.event.date, from: c.previous, to: c.event.controller, source: c.event.source)
        }

        let countries = try context.union(Array(countryShapes.values))
        func withUnheld(_ t: Territory) throws -> [(ControllerID, Geometry)] {
            var parts = try t.parts.map { ($0.controller, try geometry(of: $0)) }
            let held = parts.isEmpty ? nil : try context.union(parts.map(\.1))
            let rest = try held.map { try countries.difference($0) } ?? countries
            if rest.area > 1e6 { parts.append((Controllers.unheld, rest)) }
            return parts
        }
        var flows: [AreaFlow] = []
        if from != to {
            let a = try withUnheld(t1), b = try withUnheld(t2)
            for (ca, ga) in a {
                let pa = ga.prepared()
                for (cb, gb) in b where ca != cb && pa.intersects(gb) {
                    let x = try ga.intersection(gb)
                    let km2 = x.area / 1e6
                    if km2 >= 0.5 { flows.append(AreaFlow(from: ca, to: cb, polygons: x.polygons, areaKm2: km2)) }
                }
            }
        }
        flows.sort { $0.areaKm2 > $1.areaKm2 }

        let ids = Set(t1.parts.map(\.controller) + t2.parts.map(\.controller))
        let order = ids.sorted { dataset.factions.order(of: $0) < dataset.factions.order(of: $1) }
        let factions = order.map { id in
            FactionDelta(id: id, areaFrom: t1[id]?.areaKm2 ?? 0, areaTo: t2[id]?.areaKm2 ?? 0,
                         populationFrom: t1[id]?.population ?? 0, populationTo: t2[id]?.population ?? 0,
                         hinterlandFrom: t1[id]?.hinterlandKm2 ?? 0, hinterlandTo: t2[id]?.hinterlandKm2 ?? 0)
        }
        return Comparison(from: from, to: to, territoryFrom: t1, territoryTo: t2, changes: changes,
                          flows: flows, factions: factions)
    }
}
