import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import FrontlineData
import FrontlineGeometry
import FrontlineTestSupport
@testable import FrontlineRender

@Suite struct MapRendererTests {
    let dataset: Dataset
    let builder: TerritoryBuilder
    var fixtureRegion: MapRegion { .box(GeoBox(minLon: 39.5, minLat: 32.5, maxLon: 44.5, maxLat: 35.5)) }

    init() throws {
        var w: [DataProblem] = []
        dataset = try Dataset.load(directory: Fixtures.mini, warnings: &w)
        builder = try TerritoryBuilder(dataset: dataset)
    }

    func render(_ date: String, to path: String, size: Size = Size(800, 600), theme: String = "wikipedia",
                labels: LabelLanguage = .en) throws -> MapRenderer {
        let snapshot = dataset.timeline.snapshot(on: try Day(iso: date))
        let r = try MapRenderer(dataset: dataset, projection: builder.projection,
                                options: MapOptions(size: size, region: fixtureRegion, theme: theme, labels: labels))
        try r.write(territory: try builder.build(snapshot), snapshot: snapshot, to: path)
        return r
    }

    @Test func recordingShowsTitleLegendAndLabels() throws {
        let snapshot = dataset.timeline.snapshot(on: try Day(iso: "2017-06-05"))
        let r = try MapRenderer(dataset: dataset, projection: builder.projection,
                                options: MapOptions(size: Size(800, 600), region: fixtureRegion))
        let canvas = RecordingCanvas(size: Size(800, 600))
        r.draw(territory: try builder.build(snapshot), snapshot: snapshot, on: canvas)
        let texts = canvas.texts.map(\.0)
        #expect(texts.contains("5 June 2017"))
        #expect(texts.contains("Contested (fighting or divided)"))
        #expect(texts.contains("Iraqi government") && texts.contains("Syrian government"))
        #expect(!texts.contains("Islamic State (ISIS)"), "a faction with no territory is not in the legend")
        #expect(texts.contains("West Town") && texts.contains("Iraq Town"))
        #expect(texts.contains { $0.hasSuffix(" km") }, "scale bar")
        #expect(texts.contains { $0.contains("Test fixture.") }, "attribution")
        let labels = canvas.texts.filter { ["West Town", "East Town", "Iraq Town"].contains($0.0) }.map(\.1)
        for (i, a) in labels.enumerated() { for b in labels[(i + 1)...] { #expect(!a.intersects(b)) } }
        // Contested land is hatched.
        #expect(canvas.ops.contains { if case .pattern(_, .hatch) = $0 { return true } else { return false } })
    }

    @Test func pngMatchesGoldenWithinTolerance() throws {
        let dir = Fixtures.temporaryDirectory()
        let out = dir + "/fixture-2017-06-05.png"
        _ = try render("2017-06-05", to: out)
        let golden = Fixtures.repositoryRoot + "/Tests/FrontlineRenderTests/Goldens/fixture-2017-06-05.png"
        if ProcessInfo.processInfo.environment["FRONTLINE_RECORD_GOLDENS"] == "1" {
            try? FileManager.default.removeItem(atPath: golden)
            try FileManager.default.copyItem(atPath: out, toPath: golden)
            Issue.record("RECORDED golden \(golden); look at it, commit it, and rerun without FRONTLINE_RECORD_GOLDENS")
            return
        }
        let result = try ImageComparison.compare(actual: out, expected: golden,
                                                 diffPath: Fixtures.repositoryRoot + "/.build/test-diffs/fixture-2017-06-05-diff.png")
        #expect(result.fraction < 0.005, "golden mismatch: \(result)")
    }

    /// The fixture's map of `date` at 800×600, drawn directly on an image canvas.
    func drawnMap(_ date: String) throws -> (MapRenderer, CairoCanvas) {
        let snapshot = dataset.timeline.snapshot(on: try Day(iso: date))
        let r = try MapRenderer(dataset: dataset, projection: builder.projection,
                                options: MapOptions(size: Size(800, 600), region: fixtureRegion))
        let canvas = try CairoCanvas(format: .png, size: Size(800, 600), path: nil)
        r.draw(territory: try builder.build(snapshot), snapshot: snapshot, on: canvas)
        return (r, canvas)
    }

    @Test func pixelsShowTheControllersColours() throws {
        let (r, canvas) = try drawnMap("2017-03-01")
        func colour(lon: Double, lat: Double) -> String {
            let p = r.frame.point(builder.projection.forward(Coordinate(lon: lon, lat: lat)))
            let px = canvas.pixel(x: Int(p.x), y: Int(p.y))!
            return RGB(r: Double(px.r) / 255, g: Double(px.g) / 255, b: Double(px.b) / 255).hex
        }
        #expect(colour(lon: 40.4, lat: 33.4) == "#BDBDBD")   // ISIS grey in the west of "Syria"
        #expect(colour(lon: 41.6, lat: 33.4) == "#F4A3AC")   // Syrian government
        #expect(colour(lon: 42.5, lat: 33.3) == "#F6B3A6")   // Iraqi government
    }

    @Test func bandsOnSeveralCoresDrawTheSameImageAsOneCanvas() throws {
        let snapshot = dataset.timeline.snapshot(on: try Day(iso: "2017-06-05"))
        let territory = try builder.build(snapshot)
        let r = try MapRenderer(dataset: dataset, projection: builder.projection,
                                options: MapOptions(size: Size(800, 600), region: fixtureRegion))
        let direct = try CairoCanvas(format: .png, size: Size(800, 600), path: nil)
        r.draw(territory: territory, snapshot: snapshot, on: direct)
        for bands in [2, 3] {
            let banded = try CairoCanvas(format: .png, size: Size(800, 600), path: nil)
            let drawing = DeferredCanvas(measuringWith: banded)
            r.draw(territory: territory, snapshot: snapshot, on: drawing)
            try banded.drawInBands(drawing, bands: bands)
            // Same pixels, so the same PNG bytes; a seam or a band drawn twice would differ.
            #expect(try banded.fastPNGData() == direct.fastPNGData(), "\(bands) bands")
        }
        let svg = try CairoCanvas(format: .svg, size: Size(800, 600), path: Fixtures.temporaryDirectory() + "/x.svg")
        #expect(throws: RenderError.self) { try svg.drawInBands(DeferredCanvas(measuringWith: svg)) }
    }

    /// The PNG compressed in stripes reads back (through libpng, by Cairo) as the drawn pixels,
    /// and an encoding that takes unchanged stripes from another image's equals a fresh one.
    @Test func stripedPNGReadsBackAsTheDrawnPixelsAndReusesOnlyEqualStripes() throws {
        let (_, map) = try drawnMap("2017-06-05")
        let dir = Fixtures.temporaryDirectory()
        try StripedPNG(map).write(to: dir + "/map.png")
        #expect(ImageComparison.pngSize(dir + "/map.png")! == (800, 600))
        // A copy with one rectangle changed: most stripes are reused from `map`'s encoding.
        let changed = try CairoCanvas(format: .png, size: Size(800, 600), path: nil)
        changed.paint(layer: map, over: false)
        changed.fillRect(Rect(x: 100, y: 200, width: 50, height: 30), Paint(hex: "#FF00FF"))
        let reference = try StripedPNG(map)
        try StripedPNG(pixelsOf: changed, reusing: reference).write(to: dir + "/reused.png")
        try StripedPNG(changed).write(to: dir + "/fresh.png")
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/reused.png")) == Data(contentsOf: URL(fileURLWithPath: dir + "/fresh.png")))
        let same = try ImageComparison.compare(actual: dir + "/fresh.png", expected: dir + "/map.png", channelTolerance: 0,
                                               diffPath: dir + "/diff.png")
        #expect(same.differingPixels == 50 * 30, "\(same)")
        // Decoded pixels are the canvas's, exactly (checked against the drawn map's raw pixels).
        let direct = try CairoCanvas(format: .png, size: Size(800, 600), path: nil)
        direct.paint(layer: map, over: false)
        #expect(try StripedPNG(direct).data() == StripedPNG(map).data())
    }

    /// A renderer that keeps its static layers and sprites draws the maps it would draw
    /// without them, but for 8-bit rounding, map after map.
    @Test func cachedLayersAndSpritesDrawTheSameMaps() throws {
        let dir = Fixtures.temporaryDirectory()
        let plain = try MapRenderer(dataset: dataset, projection: builder.projection,
                                    options: MapOptions(size: Size(800, 600), region: fixtureRegion))
        let cached = try MapRenderer(dataset: dataset, projection: builder.projection,
                                     options: MapOptions(size: Size(800, 600), region: fixtureRegion))
        cached.cachesStaticLayers = true
        cached.cachesSprites = true
        for date in ["2017-03-01", "2017-06-05", "2017-03-01"] {
            let snapshot = dataset.timeline.snapshot(on: try Day(iso: date))
            let territory = try builder.build(snapshot)
            let a = try CairoCanvas(format: .png, size: Size(800, 600), path: nil)
            plain.draw(territory: territory, snapshot: snapshot, on: a)
            let b = try CairoCanvas(format: .png, size: Size(800, 600), path: nil)
            cached.draw(territory: territory, snapshot: snapshot, on: b)
            try a.writeFastPNG(to: dir + "/plain.png")
            try b.writeFastPNG(to: dir + "/cached.png")
            let result = try ImageComparison.compare(actual: dir + "/cached.png", expected: dir + "/plain.png",
                                                     channelTolerance: 3, diffPath: dir + "/diff-\(date).png")
            #expect(result.differingPixels == 0, "\(date): \(result)")
        }
        #expect(cached.holdsStaticLayers && !plain.holdsStaticLayers)
        // SVG keeps vectors: no layer is painted on it.
        let svg = try CairoCanvas(format: .svg, size: Size(800, 600), path: dir + "/x.svg")
        #expect(!svg.acceptsRasterLayers)
    }

    /// Static layers kept in the cache folder: a second renderer maps them from the file and
    /// draws, in bands on several threads, the map a renderer without them draws; a corrupt
    /// entry is not used, and is drawn and written again.
    @Test func staticLayersFromTheCacheDrawTheSameMapInBands() throws {
        let dir = Fixtures.temporaryDirectory()
        let cache = try TerritoryCache(dataset: dataset, directory: dir + "/cache")
        let options = MapOptions(size: Size(800, 600), region: fixtureRegion)
        let snapshot = dataset.timeline.snapshot(on: try Day(iso: "2017-06-05"))
        let territory = try builder.build(snapshot)
        func render(_ name: String, cached: Bool) throws -> (String, MapRenderer) {
            let r = try MapRenderer(dataset: dataset, projection: builder.projection, options: options)
            if cached { r.cachesStaticLayers = true; r.layerCache = cache }
            let canvas = try CairoCanvas(format: .png, size: options.size, path: nil)
            let drawing = DeferredCanvas(measuringWith: canvas)
            r.draw(territory: territory, snapshot: snapshot, on: drawing)
            try canvas.drawInBands(drawing, bands: 4)
            try canvas.writeFastPNG(to: dir + "/\(name).png")
            return (dir + "/\(name).png", r)
        }
        let (plain, _) = try render("plain", cached: false)
        let (first, drew) = try render("first", cached: true)
        #expect(drew.holdsStaticLayers)
        let entries = try FileManager.default.contentsOfDirectory(atPath: dir + "/cache").filter { $0.hasPrefix("layers-") }
        #expect(entries.count == 1)
        let (second, _) = try render("second", cached: true)
        for (name, path) in [("drawn", first), ("mapped", second)] {
            let result = try ImageComparison.compare(actual: path, expected: plain, channelTolerance: 3,
                                                     diffPath: dir + "/diff-\(name).png")
            #expect(result.differingPixels == 0, "\(name): \(result)")
        }
        // Flip one byte of the pixels: the entry is refused and drawn again.
        let entry = dir + "/cache/" + entries[0]
        var bytes = try Data(contentsOf: URL(fileURLWithPath: entry))
        bytes[bytes.count / 2] ^= 0x5A
        try bytes.write(to: URL(fileURLWithPath: entry))
        let key = try #require(entries[0].split(separator: ".").first.map(String.init))
        #expect(cache.readMapped(key, length: 2 * CairoCanvas.imageByteCount(options.size)) == nil)
        let (third, _) = try render("third", cached: true)
        #expect(try ImageComparison.compare(actual: third, expected: plain, channelTolerance: 3, diffPath: dir + "/diff-third.png").differingPixels == 0)
        #expect(cache.readMapped(key, length: 2 * CairoCanvas.imageByteCount(options.size)) != nil)
    }

    @Test func svgIsWellFormedXML() throws {
        let out = Fixtures.temporaryDirectory() + "/map.svg"
        _ = try render("2017-06-05", to: out, labels: .both)
        let parser = XMLParser(contentsOf: URL(fileURLWithPath: out))!
        #expect(parser.parse(), "SVG does not parse: \(String(describing: parser.parserError))")
        let text = try String(contentsOfFile: out, encoding: .utf8)
        #expect(text.contains("<svg"))
    }

    @Test func pdfOpensWithPdftoppm() throws {
        let dir = Fixtures.temporaryDirectory()
        let out = dir + "/map.pdf"
        _ = try render("2017-06-05", to: out, theme: "colourblind", labels: .ar)
        let data = try Data(contentsOf: URL(fileURLWithPath: out))
        #expect(data.starts(with: Array("%PDF".utf8)))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/pdftoppm")
        p.arguments = ["-png", "-r", "30", out, dir + "/page"]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        #expect(ImageComparison.pngSize(dir + "/page-1.png") != nil)
    }

    @Test func unsupportedExtensionAndBadFolderLeaveNoFile() throws {
        let dir = Fixtures.temporaryDirectory()
        #expect(throws: RenderError.self) { _ = try render("2017-06-05", to: dir + "/map.bmp") }
        #expect(throws: RenderError.self) { _ = try render("2017-06-05", to: dir + "/missing/map.png") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }

    @Test func unknownThemeIsRejected() throws {
        #expect(throws: RenderError.self) { _ = try render("2017-06-05", to: Fixtures.temporaryDirectory() + "/m.png", theme: "neon") }
    }

    @Test func imageSizesAreChecked() throws {
        #expect(try parseImageSize("1600x1200") == Size(1600, 1200))
        for bad in ["1600", "0x0", "100000x100000", "axb", "1600x-1"] {
            #expect(throws: RenderError.self) { try parseImageSize(bad) }
        }
    }
}
