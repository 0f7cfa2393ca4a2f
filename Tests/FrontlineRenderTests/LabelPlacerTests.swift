import Testing
@testable import FrontlineRender

@Suite struct LabelPlacerTests {
    @Test func placedLabelsNeverOverlapEachOtherOrObstacles() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            let bounds = Rect(x: 0, y: 0, width: 800, height: 600)
            let panel = Rect(x: 0, y: 0, width: 200, height: 100)
            var placer = LabelPlacer(bounds: bounds, obstacles: [panel])
            let requests = (0..<150).map { i in
                LabelPlacer.Request(id: "p\(i)", anchor: Point(Double.random(in: 0...800, using: &rng), Double.random(in: 0...600, using: &rng)),
                                    radius: 3, size: Size(Double.random(in: 20...90, using: &rng), 14), priority: Double(i % 7))
            }
            let placed = placer.place(requests)
            #expect(!placed.isEmpty)
            for (i, a) in placed.enumerated() {
                #expect(bounds.contains(a.rect))
                #expect(!a.rect.intersects(panel))
                for b in placed[(i + 1)...] { #expect(!a.rect.intersects(b.rect), "\(a.id) overlaps \(b.id)") }
            }
        }
    }

    @Test func higherPriorityWinsAConflict() {
        var placer = LabelPlacer(bounds: Rect(x: 0, y: 0, width: 100, height: 30))
        let small = LabelPlacer.Request(id: "village", anchor: Point(50, 15), radius: 2, size: Size(40, 12), priority: 1)
        let big = LabelPlacer.Request(id: "city", anchor: Point(52, 15), radius: 2, size: Size(40, 12), priority: 9)
        let placed = placer.place([small, big])
        #expect(placed.first?.id == "city")
    }

    @Test func labelGoesRightOfItsDotWhenThereIsRoom() {
        var placer = LabelPlacer(bounds: Rect(x: 0, y: 0, width: 200, height: 100))
        let r = LabelPlacer.Request(id: "a", anchor: Point(50, 50), radius: 3, size: Size(40, 10), priority: 1)
        #expect(placer.place([r]).first?.rect == Rect(x: 55, y: 45, width: 40, height: 10))
    }

    @Test func labelsAvoidTheDotsOfMoreImportantPlaces() {
        var placer = LabelPlacer(bounds: Rect(x: 0, y: 0, width: 200, height: 100))
        let village = LabelPlacer.Request(id: "village", anchor: Point(50, 50), radius: 3, size: Size(40, 10), priority: 1)
        let city = LabelPlacer.Request(id: "city", anchor: Point(70, 50), radius: 3, size: Size(10, 10), priority: 2)
        let placed = placer.place([village, city])
        let rv = placed.first { $0.id == "village" }!.rect
        #expect(!rv.intersects(Rect(x: 67, y: 47, width: 6, height: 6)))
        // The city's label, placed first, ignores the village's dot.
        let rc = placed.first { $0.id == "city" }!.rect
        #expect(rc == Rect(x: 75, y: 45, width: 10, height: 10))
    }
}
