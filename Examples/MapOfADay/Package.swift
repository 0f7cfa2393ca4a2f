// swift-tools-version:6.0
// Another package that uses frontline as a library: draws the map of one day into a PNG and
// prints each side's held land. Build and run from this folder:
//   swift build && .build/debug/MapOfADay ../../Geodata 2017-11-19 map.png
import PackageDescription

let package = Package(
    name: "MapOfADay",
    dependencies: [
        // In your own package: .package(url: "https://github.com/<you>/frontline", branch: "main")
        .package(name: "frontline", path: "../.."),
    ],
    targets: [
        .executableTarget(name: "MapOfADay", dependencies: [
            .product(name: "FrontlineData", package: "frontline"),
            .product(name: "FrontlineGeometry", package: "frontline"),
            .product(name: "FrontlineRender", package: "frontline"),
        ]),
    ]
)
