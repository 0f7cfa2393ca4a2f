// libFuzzer harness: the whole dataset loader. The first byte picks which file of a copy of
// the test fixture (Tests/Fixtures/mini, copied to a folder of this process's own) the rest of
// the input replaces; then the dataset is loaded, a snapshot taken and the data linted.
// Built by Fuzz/run.sh with the FrontlineData sources.
import Foundation

let fuzzFiles = ["places.csv", "factions.csv", "timeline/events.csv", "sieges/mini.csv", "dataset.json",
                 "basemap/countries.geojson", "basemap/lakes.geojson", "zones.csv"]
let fuzzRoot: String = {
    let env = ProcessInfo.processInfo.environment
    guard let fixture = env["FUZZ_FIXTURE"] else { fatalError("set FUZZ_FIXTURE to Tests/Fixtures/mini") }
    let dir = (env["FUZZ_TMP"] ?? "/tmp") + "/frontline-fuzz-\(getpid())"
    try? FileManager.default.removeItem(atPath: dir)
    try! FileManager.default.copyItem(atPath: fixture, toPath: dir)
    return dir
}()
var fuzzOriginals: [String: Data] = [:]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDataset(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let name = fuzzFiles[Int(data[0]) % fuzzFiles.count]
    let path = fuzzRoot + "/" + name
    if fuzzOriginals[name] == nil { fuzzOriginals[name] = FileManager.default.contents(atPath: path) ?? Data() }
    FileManager.default.createFile(atPath: path, contents: Data(bytes: data + 1, count: size - 1))
    defer {
        if let original = fuzzOriginals[name], !original.isEmpty { FileManager.default.createFile(atPath: path, contents: original) }
        else { try? FileManager.default.removeItem(atPath: path) }
    }
    var warnings: [DataProblem] = []
    if let ds = try? Dataset.load(directory: fuzzRoot, warnings: &warnings) {
        _ = ds.timeline.snapshot(on: Day(daysSinceEpoch: 17_000))
        _ = ds.lint()
        _ = ds.controlIntervals()
    }
    return 0
}
