import FrontlineData

/// One side's share of one governorate.
public struct GovernorateShare: Sendable {
    public let controller: ControllerID
    public let areaKm2: Double
    /// Of the side's hinterland, the part in this governorate.
    public let hinterlandKm2: Double
    public let population: Int
    public let places: Int
}

/// Area, population and places per side within one governorate.
public struct GovernorateBreakdown: Sendable {
    public let id: String
    public let name: String
    public let country: String
    public let areaKm2: Double
    public let shares: [GovernorateShare]
}

extension TerritoryBuilder {
    /// Splits a day's territory by governorate (basemap `governorates` layer). Places count
    /// toward the governorate whose polygon holds them.
    public func byGovernorate(_ territory: Territory, snapshot: ControlSnapshot) throws -> [GovernorateBreakdown] {
        lock.lock(); defer { lock.unlock() }
        let parts = try territory.parts.map { ($0.controller, try geometry(of: $0), try hinterlandGeometry(of: $0)) }
        // People per governorate come from the settlements when the basemap has them.
        let settlements = dataset.atlas.settlements
        var out: [GovernorateBreakdown] = []
        for g in dataset.atlas.governorates {
            let shape = try context.multiPolygon(g.geometry.polygons.map { projection.forward(polygon: $0) })
            let prepared = shape.prepared()
            var shares: [GovernorateShare] = []
            var pop: [ControllerID: Int] = [:], count: [ControllerID: Int] = [:]
            for (id, c) in snapshot.controllers {
                guard let p = dataset.gazetteer[id], let xy = positions[id] else { continue }
                if prepared.contains(try context.point(xy)) {
                    if settlements.isEmpty { pop[c, default: 0] += p.population }
                    count[c, default: 0] += 1
                }
            }
            if !settlements.isEmpty {
                for (s, xy) in zip(settlements, settlementXY) {
                    let pt = try context.point(xy)
                    guard prepared.contains(pt) else { continue }
                    if let side = parts.first(where: { $0.1.contains(pt) || $0.2.contains(pt) }) {
                        pop[side.0, default: 0] += s.population
                    }
                }
            }
            for (c, geom, hin) in parts where prepared.intersects(geom) || prepared.intersects(hin) {
                let a = prepared.intersects(geom) ? try geom.intersection(shape).area / 1e6 : 0
                let h = prepared.intersects(hin) ? try hin.intersection(shape).area / 1e6 : 0
                if a + h >= 5 || count[c] != nil {
                    shares.append(GovernorateShare(controller: c, areaKm2: a, hinterlandKm2: h, population: pop[c] ?? 0,
                                                   places: count[c] ?? 0))
                }
            }
            out.append(GovernorateBreakdown(id: g["id"] ?? "", name: g["name"] ?? "", country: g["country"] ?? "",
                                            areaKm2: shape.area / 1e6, shares: shares))
        }
        return out.sorted { ($0.country, $0.name) < ($1.country, $1.name) }
    }
}
