// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "frontline",
    products: [
        .executable(name: "frontline", targets: ["frontline"]),
        // The library: data and timeline (FrontlineData), territory and reports (FrontlineGeometry),
        // maps (FrontlineRender). Examples/MapOfADay is a package that uses them.
        .library(name: "FrontlineData", targets: ["FrontlineData"]),
        .library(name: "FrontlineGeometry", targets: ["FrontlineGeometry"]),
        .library(name: "FrontlineRender", targets: ["FrontlineRender"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
    ],
    targets: [
        .systemLibrary(name: "CCairo", pkgConfig: "pangocairo",
                       providers: [.apt(["libcairo2-dev", "libpango1.0-dev"])]),
        .systemLibrary(name: "CGEOS", pkgConfig: "geos", providers: [.apt(["libgeos-dev"])]),
        .systemLibrary(name: "CPROJ", pkgConfig: "proj", providers: [.apt(["libproj-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .target(name: "FrontlineData"),
        .target(name: "CMemory"),
        .target(name: "FrontlineGeometry", dependencies: [
            "FrontlineData", "CGEOS", "CPROJ", .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "FrontlineRender", dependencies: ["FrontlineData", "FrontlineGeometry", "CCairo", "CPNG"]),
        .target(name: "FrontlineServer", dependencies: [
            "FrontlineData", "FrontlineGeometry", "FrontlineRender",
            .product(name: "Hummingbird", package: "hummingbird"),
        ], resources: [.copy("Public")]),
        .executableTarget(name: "frontline", dependencies: [
            "FrontlineData", "FrontlineGeometry", "FrontlineRender", "FrontlineServer", "CMemory",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Hummingbird", package: "hummingbird"),
        ]),
        .executableTarget(name: "frontline-bench", dependencies: [
            "FrontlineData", "FrontlineGeometry", "FrontlineRender",
        ]),
        .target(name: "FrontlineTestSupport", dependencies: ["FrontlineRender", "CCairo"]),
        .testTarget(name: "FrontlineDataTests", dependencies: ["FrontlineData", "FrontlineTestSupport"]),
        .testTarget(name: "FrontlineGeometryTests", dependencies: ["FrontlineGeometry", "FrontlineData", "FrontlineTestSupport"]),
        .testTarget(name: "FrontlineRenderTests", dependencies: ["FrontlineRender", "FrontlineTestSupport"],
                    exclude: ["Goldens"]),
        .testTarget(name: "FrontlineCLITests", dependencies: ["frontline", "FrontlineTestSupport"]),
        .testTarget(name: "FrontlineServerTests", dependencies: [
            "FrontlineServer", "FrontlineTestSupport",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
        ]),
    ],
    swiftLanguageModes: [.v5]
)
