import Foundation

/// "From `start` to `end`, `place` was besieged by `besieger`", with the source that says so.
///
/// A siege is a state of its own, the way the widely used control maps draw it: the town stays its
/// holder's (the timeline says who), and a ring in the besieger's colour round its dot tells the
/// reader it was cut off. Rows live in `sieges/*.csv` (`place,besieger,start,end,source,note`).
public struct Siege: Hashable, Sendable {
    public let place: String
    public let besieger: ControllerID
    public let start: Day
    /// The last day of the siege (the day it was broken or the town fell).
    public let end: Day
    public let source: String
    public let note: String
    public let file: String
    public let line: Int

    public init(place: String, besieger: ControllerID, start: Day, end: Day, source: String, note: String = "",
                file: String = "", line: Int = 0) {
        self.place = place; self.besieger = besieger; self.start = start; self.end = end
        self.source = source; self.note = note; self.file = file; self.line = line
    }

    /// Whether the siege is on during `day` (its first and last day included).
    public func isActive(on day: Day) -> Bool { start <= day && day <= end }

    public var location: String { "\(file):\(line)" }

    /// Reads one sieges CSV, checking every row against the gazetteer and factions; problems are
    /// collected, not thrown one by one.
    public static func parse(table: CSVTable, gazetteer: Gazetteer, zones: Set<String> = [], factions: FactionCatalog,
                             problems: inout [DataProblem]) -> [Siege] {
        let file = table.file
        let idx: [String: Int]
        do { idx = try table.columns(["place", "besieger", "start", "end", "source"]) } catch let p as DataProblem {
            problems.append(p); return []
        } catch { return [] }
        var out: [Siege] = []
        for row in table.rows {
            func bad(_ m: String) { problems.append(DataProblem(file: file, line: row.line, m)) }
            if row.fields.count > table.header.count {
                bad("expected \(table.header.count) fields, found \(row.fields.count); quote fields that contain commas")
                continue
            }
            let place = row["place", in: idx], besieger = row["besieger", in: idx], source = row["source", in: idx]
            var ok = true
            var days: [Day] = []
            for column in ["start", "end"] {
                do { days.append(try Day(iso: row[column, in: idx])) } catch let e as DayError {
                    bad("\(column): \(e.description)"); ok = false
                } catch { ok = false }
            }
            if gazetteer[place] == nil && !zones.contains(place) {
                bad("unknown place '\(place)'; add it to places.csv or fix the id"); ok = false
            }
            if factions[besieger] == nil {
                bad("unknown besieger '\(besieger)'; use one of \(factions.factions.map(\.id).joined(separator: ", "))"); ok = false
            }
            if days.count == 2 && days[1] < days[0] {
                bad("siege of '\(place)' ends (\(days[1])) before it starts (\(days[0]))"); ok = false
            }
            if !(source.hasPrefix("https://") || source.hasPrefix("http://")) {
                bad("siege of '\(place)' has no source URL"); ok = false
            }
            if ok {
                out.append(Siege(place: place, besieger: besieger, start: days[0], end: days[1], source: source,
                                 note: row["note", in: idx], file: file, line: row.line))
            }
        }
        return out
    }
}

extension Dataset {
    /// The sieges on during `day`, by place (the latest-starting one if two overlap).
    public func sieges(on day: Day) -> [String: Siege] {
        var out: [String: Siege] = [:]
        for s in sieges where s.isActive(on: day) {
            if let known = out[s.place], known.start > s.start { continue }
            out[s.place] = s
        }
        return out
    }

    /// Problems with the sieges that `validate` reports: a siege must lie inside one period when
    /// its town was held by a single side other than the besieger (fighting inside it, `contested`,
    /// aside), and two sieges of one town must not overlap.
    public func siegeProblems() -> [DataProblem] {
        var out: [DataProblem] = []
        for s in sieges {
            let events = timeline.events(for: s.place)
            // The part of the siege the timeline covers: from the town's first event on.
            guard let first = events.first else { continue }
            let from = max(s.start, first.date)
            guard from <= s.end else { continue }
            guard let holder = timeline.event(for: s.place, on: from)?.controller else { continue }
            if holder == s.besieger {
                out.append(DataProblem(file: s.file, line: s.line,
                    "siege of '\(s.place)' by \(s.besieger) from \(s.start): the timeline gives the town to \(s.besieger) itself on \(from)"))
                continue
            }
            // Changes of hands strictly inside the siege (the town may fall on its last day);
            // fighting inside a besieged town (`contested`) is part of a siege, not its end.
            if let change = events.first(where: {
                $0.date > from && $0.date < s.end && $0.controller != holder && $0.controller != Controllers.contested
            }) {
                out.append(DataProblem(file: s.file, line: s.line,
                    "siege of '\(s.place)' \(s.start)…\(s.end): the town passes from \(holder) to \(change.controller) on \(change.date) (\(change.location)), inside the siege"))
            }
        }
        let byPlace = Dictionary(grouping: sieges, by: \.place)
        for (_, list) in byPlace.sorted(by: { $0.key < $1.key }) {
            let ordered = list.sorted { $0.start < $1.start }
            for (a, b) in zip(ordered, ordered.dropFirst()) where b.start < a.end {
                out.append(DataProblem(file: b.file, line: b.line,
                    "siege of '\(b.place)' from \(b.start) overlaps the one at \(a.location) (until \(a.end))"))
            }
        }
        return out
    }
}
