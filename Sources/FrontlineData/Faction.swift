/// Who holds a place on a day: a faction id from `factions.csv`, or `contested`.
public typealias ControllerID = String

public enum Controllers {
    /// Fighting inside the place, or a city split between forces.
    public static let contested: ControllerID = "contested"
    /// Land nobody holds (open desert beyond every place's reach), for gains and losses. In the
    /// timeline, a zone whose sources say it was cleared becomes `unheld` and leaves the map.
    public static let unheld: ControllerID = "unheld"
}

/// An RGB colour from `#RRGGBB`.
public struct RGB: Hashable, Sendable {
    public var r: Double, g: Double, b: Double
    public init(r: Double, g: Double, b: Double) { self.r = r; self.g = g; self.b = b }

    public init?(hex: String) {
        var s = Substring(hex)
        if s.hasPrefix("#") { s = s.dropFirst() }
        guard s.count == 6, let v = UInt32(s, radix: 16) else { return nil }
        r = Double((v >> 16) & 0xFF) / 255
        g = Double((v >> 8) & 0xFF) / 255
        b = Double(v & 0xFF) / 255
    }

    public var hex: String {
        func h(_ x: Double) -> String {
            let v = Int((max(0, min(1, x)) * 255).rounded())
            let s = String(v, radix: 16, uppercase: true)
            return s.count == 1 ? "0" + s : s
        }
        return "#" + h(r) + h(g) + h(b)
    }

    /// Mixes towards `other` by `t` (0 = self, 1 = other).
    public func mixed(with other: RGB, _ t: Double) -> RGB {
        RGB(r: r + (other.r - r) * t, g: g + (other.g - g) * t, b: b + (other.b - b) * t)
    }

    public var luminance: Double { 0.2126 * r + 0.7152 * g + 0.0722 * b }
}

/// A side in the war, with the colours each theme gives it.
public struct Faction: Hashable, Sendable {
    public let id: ControllerID
    public let name: String
    public let nameAr: String
    /// theme name → (area fill, town dot)
    public let colours: [String: FactionColours]

    public init(id: ControllerID, name: String, nameAr: String, colours: [String: FactionColours]) {
        self.id = id; self.name = name; self.nameAr = nameAr; self.colours = colours
    }
}

public struct FactionColours: Hashable, Sendable {
    public let fill: RGB
    public let dot: RGB
    public init(fill: RGB, dot: RGB) { self.fill = fill; self.dot = dot }
}

/// The factions of a dataset in legend order, plus the theme names their colours cover.
public struct FactionCatalog: Sendable {
    public let factions: [Faction]
    public let themes: [String]
    private let byID: [ControllerID: Int]

    public init(factions: [Faction], themes: [String]) {
        self.factions = factions
        self.themes = themes
        var m: [ControllerID: Int] = [:]
        for (i, f) in factions.enumerated() { m[f.id] = i }
        byID = m
    }

    public subscript(id: ControllerID) -> Faction? { byID[id].map { factions[$0] } }

    /// The name readers see for a controller, including the built-in ones.
    public func name(of id: ControllerID) -> String {
        switch id {
        case Controllers.contested: return "Contested"
        case Controllers.unheld: return "Open desert"
        default: return self[id]?.name ?? id
        }
    }
    public func order(of id: ControllerID) -> Int { byID[id] ?? factions.count }
    public func isKnownController(_ id: ControllerID) -> Bool { id == Controllers.contested || byID[id] != nil }

    /// Reads `factions.csv`: `id,name,name_ar,<theme>_fill,<theme>_dot,…` — every
    /// pair of `_fill`/`_dot` columns is a theme.
    public static func load(path: String, displayName: String) throws -> FactionCatalog {
        let table = try CSVTable.read(path: path, displayName: displayName)
        let idx = try table.columns(["id", "name"])
        let themes = table.header.compactMap { h -> String? in
            guard h.hasSuffix("_fill") else { return nil }
            let t = String(h.dropLast(5))
            return table.header.contains(t + "_dot") ? t : nil
        }
        guard !themes.isEmpty else {
            throw DataProblem(file: displayName, line: 1, "no colour theme; add columns like wikipedia_fill,wikipedia_dot")
        }
        var problems: [DataProblem] = []
        var factions: [Faction] = []
        var seen = Set<String>()
        for row in table.rows {
            let id = row["id", in: idx]
            guard isValidSlug(id) else {
                problems.append(DataProblem(file: displayName, line: row.line, "faction id '\(id)' must be lowercase letters, digits and _"))
                continue
            }
            if id == Controllers.contested {
                problems.append(DataProblem(file: displayName, line: row.line, "'contested' is built in; do not list it as a faction"))
                continue
            }
            if !seen.insert(id).inserted {
                problems.append(DataProblem(file: displayName, line: row.line, "duplicate faction id '\(id)'"))
                continue
            }
            var colours: [String: FactionColours] = [:]
            for t in themes {
                let f = row[t + "_fill", in: idx], d = row[t + "_dot", in: idx]
                guard let fill = RGB(hex: f), let dot = RGB(hex: d) else {
                    problems.append(DataProblem(file: displayName, line: row.line, "faction '\(id)': theme \(t) needs #RRGGBB colours, got '\(f)' and '\(d)'"))
                    continue
                }
                colours[t] = FactionColours(fill: fill, dot: dot)
            }
            factions.append(Faction(id: id, name: row["name", in: idx], nameAr: row["name_ar", in: idx], colours: colours))
        }
        if !problems.isEmpty { throw DataProblems(problems) }
        return FactionCatalog(factions: factions, themes: themes)
    }
}

func isValidSlug(_ s: String) -> Bool {
    !s.isEmpty && s.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 || $0 == 45 }
}
