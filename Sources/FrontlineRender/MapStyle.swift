import FrontlineData

/// Which names to write next to towns.
public enum LabelLanguage: String, CaseIterable, Sendable {
    case en, ar, both
}

/// Colours and type for one map. Faction colours come from the data (`factions.csv`),
/// one pair of columns per theme; the basemap colours are the cartographer's choice.
public struct MapStyle: Sendable {
    public let theme: String
    public let factionColours: [ControllerID: FactionColours]
    public var sea = Paint(hex: "#CFE3EE")
    public var neighbourLand = Paint(hex: "#ECEBE7")
    /// Land no place reaches: desert with no fixed control.
    public var desert = Paint(hex: "#F5EEDC")
    public var desertStipple = Paint(hex: "#C9B68A", alpha: 0.55)
    public var neighbourBorder = Paint(hex: "#A09A90")
    public var countryBorder = Paint(hex: "#3A3A3A")
    public var countryBorderCasing = Paint(hex: "#FFFFFF", alpha: 0.85)
    public var governorateLine = Paint(hex: "#5A5A5A", alpha: 0.45)
    public var water = Paint(hex: "#9CC3DC")
    public var waterEdge = Paint(hex: "#6FA3C4")
    public var river = Paint(hex: "#4F93C2")
    public var contestedBase = Paint(hex: "#F3E3D3")
    public var contestedHatch = Paint(hex: "#8B1A1A", alpha: 0.85)
    public var text = Paint(hex: "#1E1E1E")
    public var mutedText = Paint(hex: "#6B665E")
    public var panel = Paint(hex: "#FFFFFF", alpha: 0.9)
    public var panelEdge = Paint(hex: "#8C8C8C")
    public var family = "Noto Sans"
    public var arabicFamily = "Noto Sans Arabic"

    public init(theme: String, factions: FactionCatalog) throws {
        guard factions.themes.contains(theme) else {
            throw RenderError("unknown theme '\(theme)'; this data offers \(factions.themes.joined(separator: ", "))")
        }
        self.theme = theme
        var m: [ControllerID: FactionColours] = [:]
        for f in factions.factions { m[f.id] = f.colours[theme] }
        factionColours = m
    }

    public func fill(_ c: ControllerID) -> Paint {
        if c == Controllers.contested { return contestedBase }
        return Paint(factionColours[c]?.fill ?? RGB(r: 0.8, g: 0.8, b: 0.8))
    }

    public func dot(_ c: ControllerID) -> Paint {
        if c == Controllers.contested { return contestedHatch }
        return Paint(factionColours[c]?.dot ?? RGB(r: 0.4, g: 0.4, b: 0.4))
    }

    /// The line drawn around a controller's area: its fill, darkened towards its dot colour.
    public func edge(_ c: ControllerID) -> Paint {
        guard let fc = factionColours[c] else { return Paint(hex: "#7A4A3A") }
        return Paint(fc.fill.mixed(with: fc.dot, 0.55).mixed(with: RGB(r: 0, g: 0, b: 0), 0.15))
    }

    public func font(_ size: Double, bold: Bool = false, colour: Paint? = nil) -> TextStyle {
        TextStyle(family: family, size: size, weight: bold ? .bold : .regular, colour: colour ?? text)
    }
}
