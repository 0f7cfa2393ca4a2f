import Foundation

/// With `FRONTLINE_TRACE=1`, prints how long each stage of a command took to standard error:
/// the milliseconds since the first mark, and since the previous one. How the render budget in
/// the README was found, and how to check it on another machine.
public enum StageTrace {
    public static let enabled = ProcessInfo.processInfo.environment["FRONTLINE_TRACE"] == "1"
    nonisolated(unsafe) private static var first = 0.0, last = 0.0
    private static let lock = NSLock()

    public static func mark(_ stage: @autoclosure () -> String) {
        guard enabled else { return }
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        let now = Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec) / 1e6
        lock.lock()
        if first == 0 { first = now; last = now }
        let line = "trace \(stage()): \(String(format: "%.1f ms (+%.1f), clock %.1f", now - first, now - last, now))\n"
        last = now
        lock.unlock()
        FileHandle.standardError.write(Data(line.utf8))
    }
}
