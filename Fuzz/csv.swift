// libFuzzer harness: the CSV reader. Built by Fuzz/run.sh with the FrontlineData sources.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let table = try? CSVTable.parse(text, file: "fuzz.csv") {
        // Reading cells by name must hold for any table that parsed.
        var index: [String: Int] = [:]
        for (i, h) in table.header.enumerated() where index[h] == nil { index[h] = i }
        for row in table.rows.prefix(64) { for h in table.header { _ = row[h, in: index] } }
        _ = try? table.columns(["date", "place"])
    }
    return 0
}
