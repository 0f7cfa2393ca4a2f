import Foundation
import FrontlineData

/// Text forms of a comparison: a terminal summary, a Markdown report a journalist can paste,
/// and JSON for scripts.
extension Comparison {
    func sideName(_ id: ControllerID?, _ dataset: Dataset) -> String {
        id.map(dataset.factions.name(of:)) ?? "—"
    }

    static func km2(_ v: Double) -> String { String(format: "%.1f", v) }

    static func signed(_ v: Double) -> String {
        let n = Int(v.rounded())
        return (n > 0 ? "+" : n < 0 ? "−" : "±") + formatThousands(abs(n))
    }

    var directionNote: String? {
        if isEmpty { return "Both dates are the same: no change." }
        if isReversed { return "The second date (\(to)) is earlier than the first (\(from)): this is the reverse comparison, from the later date back to the earlier one; gains and losses run backwards in time." }
        return nil
    }

    /// The sieges that were on at some time between the two dates, each with what happened to it
    /// in that period: `began`, `ended`, `began and ended`, or `ongoing` (on throughout).
    public func sieges(dataset: Dataset) -> [(siege: Siege, status: String)] {
        let early = min(from, to), late = max(from, to)
        return dataset.sieges.filter { $0.start <= late && $0.end >= early }
            .sorted { $0.start != $1.start ? $0.start < $1.start : $0.place < $1.place }
            .map { s in
                let began = s.start > early, ended = s.end < late
                return (s, began && ended ? "began and ended" : began ? "began" : ended ? "ended" : "ongoing")
            }
    }

    public func json(dataset: Dataset) -> String {
        func s(_ v: String?) -> String { v.map(GeoJSON.jsonString) ?? "null" }
        let ch = changes.map {
            "{\"place\": \(s($0.place)), \"name\": \(s($0.name)), \"date\": \"\($0.date)\", \"from\": \(s($0.from)), \"to\": \(s($0.to)), \"source\": \(s($0.source))}"
        }
        let fa = factions.map {
            "{\"id\": \(s($0.id)), \"area_km2_from\": \(Self.km2($0.areaFrom)), \"area_km2_to\": \(Self.km2($0.areaTo)), \"delta_km2\": \(Self.km2($0.deltaKm2)), \"hinterland_km2_from\": \(Self.km2($0.hinterlandFrom)), \"hinterland_km2_to\": \(Self.km2($0.hinterlandTo)), \"hinterland_delta_km2\": \(Self.km2($0.hinterlandDeltaKm2)), \"population_from\": \($0.populationFrom), \"population_to\": \($0.populationTo)}"
        }
        let si = sieges(dataset: dataset).map { e in
            "{\"place\": \(s(e.siege.place)), \"name\": \(s(dataset.name(of: e.siege.place))), \"besieger\": \(s(e.siege.besieger)), \"start\": \"\(e.siege.start)\", \"end\": \"\(e.siege.end)\", \"status\": \(s(e.status)), \"source\": \(s(e.siege.source))}"
        }
        return "{\"from\": \"\(from)\", \"to\": \"\(to)\", \"changes\": [\n  " + ch.joined(separator: ",\n  ")
            + "\n], \"factions\": [\n  " + fa.joined(separator: ",\n  ") + "\n], \"sieges\": [\n  "
            + si.joined(separator: ",\n  ") + "\n]}\n"
    }

    public func markdown(dataset: Dataset) -> String {
        var out = "# What changed hands: \(from.longDescription) → \(to.longDescription)\n\n"
        if let note = directionNote { out += "> \(note)\n\n" }
        out += "## Area and population by side\n\n"
        out += "| Side | Held \(from) (km²) | Held \(to) (km²) | Change (km²) | Hinterland \(from) | Hinterland \(to) | Change | Population \(from) | Population \(to) |\n"
        out += "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        for f in factions {
            out += "| \(sideName(f.id, dataset)) | \(formatThousands(Int(f.areaFrom.rounded()))) | \(formatThousands(Int(f.areaTo.rounded()))) | \(Self.signed(f.deltaKm2)) | \(formatThousands(Int(f.hinterlandFrom.rounded()))) | \(formatThousands(Int(f.hinterlandTo.rounded()))) | \(Self.signed(f.hinterlandDeltaKm2)) | \(formatThousands(f.populationFrom)) | \(formatThousands(f.populationTo)) |\n"
        }
        out += "\n## Towns that changed hands\n\n"
        if changes.isEmpty {
            out += "None.\n"
        } else {
            out += "| Date | Town | From | To | Source |\n|---|---|---|---|---|\n"
            for c in changes {
                let host = URL(string: c.source)?.host ?? "source"
                out += "| \(c.date) | \(c.name) | \(sideName(c.from, dataset)) | \(sideName(c.to, dataset)) | [\(host)](\(c.source)) |\n"
            }
        }
        let sieges = sieges(dataset: dataset)
        if !sieges.isEmpty {
            out += "\n## Sieges\n\n| Town | Besieged by | From | To | In this period | Source |\n|---|---|---|---|---|---|\n"
            for e in sieges {
                let host = URL(string: e.siege.source)?.host ?? "source"
                out += "| \(dataset.name(of: e.siege.place)) | \(sideName(e.siege.besieger, dataset)) | \(e.siege.start) | \(e.siege.end) | \(e.status) | [\(host)](\(e.siege.source)) |\n"
            }
        }
        if !flows.isEmpty {
            out += "\n## Largest areas that changed hands\n\n| From | To | Area (km²) |\n|---|---|---:|\n"
            var pairs: [String: (ControllerID, ControllerID, Double)] = [:]
            for f in flows { pairs["\(f.from)>\(f.to)", default: (f.from, f.to, 0)].2 += f.areaKm2 }
            for p in pairs.values.sorted(by: { $0.2 > $1.2 }).prefix(12) {
                out += "| \(sideName(p.0, dataset)) | \(sideName(p.1, dataset)) | \(formatThousands(Int(p.2.rounded()))) |\n"
            }
        }
        out += "\nAreas are derived from the towns each side held (see the README for the method) and measured on an equal-area projection. Held land surrounds each side's towns and the links between them; hinterland is the desert reached from them. Population counts every GeoNames settlement for the side whose land it lies in.\n"
        return out
    }

    public func summary(dataset: Dataset) -> String {
        var out = "\(from.longDescription) → \(to.longDescription)\n"
        if let note = directionNote { out += note + "\n" }
        out += "\nHeld area by side (km²; hinterland in brackets):\n"
        let w = max(20, factions.map { sideName($0.id, dataset).count }.max() ?? 0)
        for f in factions {
            let name = sideName(f.id, dataset)
            out += "  " + name + String(repeating: " ", count: w - name.count)
            out += String(format: " %10@ → %10@  (%@)   [%@ → %@]\n", formatThousands(Int(f.areaFrom.rounded())) as NSString,
                          formatThousands(Int(f.areaTo.rounded())) as NSString, Self.signed(f.deltaKm2) as NSString,
                          formatThousands(Int(f.hinterlandFrom.rounded())) as NSString, formatThousands(Int(f.hinterlandTo.rounded())) as NSString)
        }
        out += "\nTowns that changed hands: \(changes.count) change(s) in \(Set(changes.map(\.place)).count) town(s)\n"
        for c in changes {
            out += "  \(c.date)  \(c.name): \(sideName(c.from, dataset)) → \(sideName(c.to, dataset))\n"
        }
        let sieges = sieges(dataset: dataset).filter { $0.status != "ongoing" }
        if !sieges.isEmpty {
            out += "\nSieges that began or ended: \(sieges.count)\n"
            for e in sieges {
                out += "  \(dataset.name(of: e.siege.place)) besieged by \(sideName(e.siege.besieger, dataset)), \(e.siege.start) → \(e.siege.end) (\(e.status))\n"
            }
        }
        return out
    }
}
