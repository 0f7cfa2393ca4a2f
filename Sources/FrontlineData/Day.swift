/// A calendar date with no time of day and no time zone: the unit every
/// control event and every map is dated in. Stored as days since 1970-01-01
/// in the proleptic Gregorian calendar, so comparison and arithmetic are exact.
public struct Day: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public let daysSinceEpoch: Int

    public init(daysSinceEpoch: Int) { self.daysSinceEpoch = daysSinceEpoch }

    /// Fails for impossible dates such as 2017-02-29 or 2017-13-01.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              day >= 1, day <= Day.daysIn(month: month, year: year) else { return nil }
        daysSinceEpoch = Day.daysFromCivil(year, month, day)
    }

    /// Parses strict ISO `YYYY-MM-DD`.
    public init(iso text: String) throws {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else {
            throw DayError.malformed(text)
        }
        guard let day = Day(year: y, month: m, day: d) else { throw DayError.impossible(text) }
        self = day
    }

    public var year: Int { components.year }
    public var month: Int { components.month }
    public var day: Int { components.day }

    public var components: (year: Int, month: Int, day: Int) {
        Day.civilFromDays(daysSinceEpoch)
    }

    public var iso: String {
        let c = components
        return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))"
    }

    public var description: String { iso }

    public func adding(days n: Int) -> Day { Day(daysSinceEpoch: daysSinceEpoch + n) }

    /// Adds calendar months, clamping the day to the end of the target month
    /// (2017-01-31 + 1 month = 2017-02-28).
    public func adding(months n: Int) -> Day {
        let c = components
        let total = c.year * 12 + (c.month - 1) + n
        let y = total / 12, m = total % 12 + 1
        return Day(year: y, month: m, day: min(c.day, Day.daysIn(month: m, year: y)))!
    }

    public func days(until other: Day) -> Int { other.daysSinceEpoch - daysSinceEpoch }

    /// "19 November 2017", for titles.
    public var longDescription: String {
        let names = ["January", "February", "March", "April", "May", "June", "July",
                     "August", "September", "October", "November", "December"]
        let c = components
        return "\(c.day) \(names[c.month - 1]) \(c.year)"
    }

    public static func < (a: Day, b: Day) -> Bool { a.daysSinceEpoch < b.daysSinceEpoch }

    public init(from decoder: Decoder) throws {
        try self.init(iso: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(iso)
    }

    public static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // Howard Hinnant's days_from_civil / civil_from_days.
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func civilFromDays(_ z0: Int) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

public enum DayError: Error, Equatable, CustomStringConvertible {
    case malformed(String)
    case impossible(String)

    public var description: String {
        switch self {
        case .malformed(let t): return "'\(t)' is not a date; write it as YYYY-MM-DD"
        case .impossible(let t): return "'\(t)' is not a real calendar date"
        }
    }
}

private func pad(_ n: Int, _ width: Int) -> String {
    let s = String(n)
    return String(repeating: "0", count: max(0, width - s.count)) + s
}

/// A step between frames of an animation: `1d`, `7d`, `2w`, `1m`.
public struct DayStep: Hashable, Sendable, CustomStringConvertible {
    public enum Unit: Sendable { case days, months }
    public let count: Int
    public let unit: Unit

    public init(count: Int, unit: Unit) { self.count = count; self.unit = unit }

    public init(parsing text: String) throws {
        guard let last = text.last, let n = Int(text.dropLast()), n > 0, n <= 10000 else {
            throw DayStepError(text: text)
        }
        switch last {
        case "d": self.init(count: n, unit: .days)
        case "w": self.init(count: n * 7, unit: .days)
        case "m": self.init(count: n, unit: .months)
        default: throw DayStepError(text: text)
        }
    }

    public func advance(_ day: Day) -> Day {
        unit == .days ? day.adding(days: count) : day.adding(months: count)
    }

    public var description: String { unit == .days ? "\(count)d" : "\(count)m" }

    /// Every day of the sequence from `start` to `end`, both included when reached.
    /// Month steps count from `start` so that day-of-month clamping never drifts.
    public func days(from start: Day, through end: Day) -> [Day] {
        var out: [Day] = []
        var i = 0
        while true {
            let d = unit == .days ? start.adding(days: count * i) : start.adding(months: count * i)
            if d > end { break }
            out.append(d)
            i += 1
        }
        return out
    }
}

public struct DayStepError: Error, CustomStringConvertible {
    public let text: String
    public var description: String {
        "'\(text)' is not a step; use a positive number followed by d, w or m (1d, 7d, 1m)"
    }
}
