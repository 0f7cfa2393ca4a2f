// libFuzzer harness: the GeoJSON reader. Built by Fuzz/run.sh with the FrontlineData sources.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGeoJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    if let features = try? GeoJSON.parseFeatures(bytes, file: "fuzz.geojson") {
        for f in features { _ = GeoJSON.encode(f.geometry) }
    }
    return 0
}
