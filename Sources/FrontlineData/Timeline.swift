/// "From `date` on, `place` is held by `controller`", with the source that says so.
public struct ControlEvent: Hashable, Sendable {
    public let date: Day
    public let place: String
    public let controller: ControllerID
    public let source: String
    public let note: String
    /// Where the row is, for messages: `Geodata/timeline/iraq.csv:212`.
    public let file: String
    public let line: Int

    public init(date: Day, place: String, controller: ControllerID, source: String, note: String = "",
                file: String = "", line: Int = 0) {
        self.date = date; self.place = place; self.controller = controller
        self.source = source; self.note = note; self.file = file; self.line = line
    }

    public var location: String { "\(file):\(line)" }
}

/// Who held every place on one day.
public struct ControlSnapshot: Hashable, Sendable {
    public let day: Day
    /// place id → controller, only for places with an event on or before `day`.
    public let controllers: [String: ControllerID]

    public init(day: Day, controllers: [String: ControllerID]) {
        self.day = day; self.controllers = controllers
    }

    public subscript(place: String) -> ControllerID? { controllers[place] }

    /// Two snapshots with the same key produce the same territory, whatever their days.
    public var territoryKey: [String: ControllerID] { controllers }
}

/// Every dated control event of a dataset, indexed by place for fast snapshots.
public struct Timeline: Sendable {
    public let events: [ControlEvent]
    private let byPlace: [String: [ControlEvent]]

    /// Events are ordered by date, then by their order in the files, so that a later
    /// row on the same day wins.
    public init(events: [ControlEvent]) {
        let ordered = events.enumerated().sorted {
            $0.element.date != $1.element.date ? $0.element.date < $1.element.date : $0.offset < $1.offset
        }.map(\.element)
        self.events = ordered
        byPlace = Dictionary(grouping: ordered, by: \.place)
    }

    public var firstDay: Day? { events.first?.date }
    public var lastDay: Day? { events.last?.date }
    public var placeIDs: Set<String> { Set(byPlace.keys) }

    public func events(for place: String) -> [ControlEvent] { byPlace[place] ?? [] }

    /// The event in force for `place` on `day`: the last one on or before it.
    public func event(for place: String, on day: Day) -> ControlEvent? {
        guard let list = byPlace[place] else { return nil }
        var lo = 0, hi = list.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if list[mid].date <= day { lo = mid + 1 } else { hi = mid }
        }
        return lo == 0 ? nil : list[lo - 1]
    }

    public func snapshot(on day: Day) -> ControlSnapshot {
        var m: [String: ControllerID] = [:]
        m.reserveCapacity(byPlace.count)
        for place in byPlace.keys {
            // A zone that became `unheld` has left the map: its land goes back to the places around it.
            if let e = event(for: place, on: day), e.controller != Controllers.unheld { m[place] = e.controller }
        }
        return ControlSnapshot(day: day, controllers: m)
    }

    /// Changes of controller strictly after `from` and up to and including `to`, in date order.
    /// An event that repeats the controller already in force is not a change.
    public func changes(after from: Day, through to: Day) -> [(event: ControlEvent, previous: ControllerID?)] {
        var out: [(ControlEvent, ControllerID?)] = []
        for (_, list) in byPlace {
            var previous: ControllerID? = nil
            for e in list {
                if e.date > to { break }
                if e.date > from, e.controller != previous { out.append((e, previous)) }
                previous = e.controller
            }
        }
        return out.sorted { a, b in
            a.0.date != b.0.date ? a.0.date < b.0.date : a.0.place < b.0.place
        }
    }

    /// Reads one timeline CSV (`date,place,controller,source,note`), checking every row
    /// against the gazetteer and factions; problems are collected, not thrown one by one.
    public static func parse(table: CSVTable, gazetteer: Gazetteer, zones: Set<String> = [], factions: FactionCatalog,
                             problems: inout [DataProblem]) -> [ControlEvent] {
        let file = table.file
        let idx: [String: Int]
        do { idx = try table.columns(["date", "place", "controller", "source"]) } catch let p as DataProblem {
            problems.append(p); return []
        } catch { return [] }
        var out: [ControlEvent] = []
        var seen: [String: Int] = [:]
        for row in table.rows {
            func bad(_ m: String, _ s: DataProblem.Severity = .error) {
                problems.append(DataProblem(file: file, line: row.line, m, severity: s))
            }
            if row.fields.count > table.header.count {
                bad("expected \(table.header.count) fields, found \(row.fields.count); quote fields that contain commas")
                continue
            }
            let dateText = row["date", in: idx], place = row["place", in: idx]
            let controller = row["controller", in: idx], source = row["source", in: idx]
            let day: Day
            do { day = try Day(iso: dateText) } catch let e as DayError {
                bad(e.description); continue
            } catch { continue }
            var ok = true
            if gazetteer[place] == nil && !zones.contains(place) {
                bad("unknown place '\(place)'; add it to places.csv or fix the id"); ok = false
            }
            if controller == Controllers.unheld {
                if !zones.contains(place) {
                    bad("only a zone can become '\(Controllers.unheld)'; a place is held by someone or contested"); ok = false
                }
            } else if !factions.isKnownController(controller) {
                bad("unknown controller '\(controller)'; use one of \((factions.factions.map(\.id) + [Controllers.contested]).joined(separator: ", ")), or \(Controllers.unheld) for a zone that ends")
                ok = false
            }
            if !(source.hasPrefix("https://") || source.hasPrefix("http://")) {
                bad("event for '\(place)' on \(dateText) has no source URL"); ok = false
            }
            let key = "\(dateText)|\(place)"
            if let first = seen[key] {
                let note = row["note", in: idx]
                if note.isEmpty {
                    bad("'\(place)' changes hands twice on \(dateText) (first at line \(first)) without a note")
                    ok = false
                }
            } else {
                seen[key] = row.line
            }
            if ok {
                out.append(ControlEvent(date: day, place: place, controller: controller, source: source,
                                        note: row["note", in: idx], file: file, line: row.line))
            }
        }
        return out
    }
}
