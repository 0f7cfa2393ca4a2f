// libFuzzer harness: the whole dataset loader. The first byte picks which file of a copy of
// the test fixture (Tests/Fixtures/mini, copied to a folder of this process's own) the rest of
// the input replaces; then the dataset is loaded, a snapshot taken and the data linted.
// Built by Fuzz/run.sh with the FrontlineData sources.
import Foundation

let fuzzFiles = ["places.csv", "factions.csv", "timeline/events.csv", "sieges/mini.csv", "dataset.json",
                 "basemap/countries.geojson", "basemap/lakes.geojson", "zones.csv"]
nonisolated(unsafe) var fuzzRoot = ""
nonisolated(unsafe) var fuzzFixture = ""

/// Before the first input (so nothing it allocates counts against an input in the leak check):
/// a copy of the fixture of this process's own. Originals are copied back from the fixture after
/// each input (no bytes are kept on the heap, which the leak check would count at exit).
@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    let env = ProcessInfo.processInfo.environment
    guard let fixture = env["FUZZ_FIXTURE"] else { fatalError("set FUZZ_FIXTURE to Tests/Fixtures/mini") }
    fuzzFixture = fixture
    fuzzRoot = (env["FUZZ_TMP"] ?? "/tmp") + "/frontline-fuzz-\(getpid())"
    try? FileManager.default.removeItem(atPath: fuzzRoot)
    try! FileManager.default.copyItem(atPath: fixture, toPath: fuzzRoot)
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDataset(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let name = fuzzFiles[Int(data[0]) % fuzzFiles.count]
    let path = fuzzRoot + "/" + name
    FileManager.default.createFile(atPath: path, contents: Data(bytes: data + 1, count: size - 1))
    defer {
        try? FileManager.default.removeItem(atPath: path)
        try? FileManager.default.copyItem(atPath: fuzzFixture + "/" + name, toPath: path)   // none for zones.csv
    }
    var warnings: [DataProblem] = []
    if let ds = try? Dataset.load(directory: fuzzRoot, warnings: &warnings) {
        _ = ds.timeline.snapshot(on: Day(daysSinceEpoch: 17_000))
        _ = ds.lint()
        _ = ds.controlIntervals()
    }
    return 0
}
