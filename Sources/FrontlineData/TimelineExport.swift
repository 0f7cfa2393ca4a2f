import Foundation

/// One place held by one controller from `validFrom` up to (not including) `validTo`: the
/// validity intervals that time-aware GIS tools (QGIS's Temporal Controller, kepler.gl's time
/// filter, pandas) animate. `validTo` is nil for the last interval of a place: it lasts beyond
/// the end of coverage.
public struct ControlInterval: Hashable, Sendable {
    public let place: Place
    public let controller: ControllerID
    public let validFrom: Day
    public let validTo: Day?
    /// The event that began the interval.
    public let source: String
    public let note: String
}

extension Dataset {
    /// Every place's controller intervals, in place order then date. Consecutive events that name
    /// the same controller (which `validate` reports) extend one interval rather than split it.
    public func controlIntervals() -> [ControlInterval] {
        var out: [ControlInterval] = []
        for place in gazetteer.places {
            let events = timeline.events(for: place.id)
            var i = 0
            while i < events.count {
                var j = i + 1
                while j < events.count && events[j].controller == events[i].controller { j += 1 }
                out.append(ControlInterval(place: place, controller: events[i].controller,
                                           validFrom: events[i].date, validTo: j < events.count ? events[j].date : nil,
                                           source: events[i].source, note: events[i].note))
                i = j
            }
        }
        return out
    }
}

/// The timeline as intervals in GeoJSON (points) and CSV, the two forms GIS tools read.
public enum ControlIntervalsExport {
    public static let fields = ["place", "name", "name_ar", "controller", "valid_from", "valid_to", "source", "note"]

    static func values(_ i: ControlInterval) -> [String?] {
        [i.place.id, i.place.name, i.place.nameAr, i.controller, i.validFrom.iso, i.validTo?.iso, i.source, i.note]
    }

    /// A FeatureCollection of Points in WGS 84; `valid_to` is `null` for an open end.
    public static func geoJSON(_ intervals: [ControlInterval]) -> String {
        var lines: [String] = []
        lines.reserveCapacity(intervals.count)
        for i in intervals {
            let props = zip(fields, values(i)).map { k, v in "\"\(k)\":" + (v.map(GeoJSON.jsonString) ?? "null") }
            lines.append("{\"type\":\"Feature\",\"properties\":{\(props.joined(separator: ","))},\"geometry\":\(GeoJSON.encode(.point(i.place.coordinate)))}")
        }
        return "{\"type\":\"FeatureCollection\",\"features\":[\n" + lines.joined(separator: ",\n") + "\n]}\n"
    }

    /// CSV with `lon,lat` after the fields (GDAL reads them as the geometry with
    /// `-oo X_POSSIBLE_NAMES=lon -oo Y_POSSIBLE_NAMES=lat`); an open end is an empty `valid_to`.
    public static func csv(_ intervals: [ControlInterval]) -> String {
        var out = (fields + ["lon", "lat"]).joined(separator: ",") + "\n"
        for i in intervals {
            let cells = values(i).map { csvField($0 ?? "") } + [GeoJSON.format(i.place.coordinate.lon), GeoJSON.format(i.place.coordinate.lat)]
            out += cells.joined(separator: ",") + "\n"
        }
        return out
    }
}
