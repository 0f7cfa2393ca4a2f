import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads a whole file with POSIX calls. Foundation's `FileManager.contents(atPath:)` leaks its
/// read buffer for an empty file (found by the dataset fuzzer, Fuzz/dataset.swift; the input is
/// kept in Tests/Fixtures/fuzz/dataset/), and every loader reads the data files through here.
public enum FileBytes {
    public static func read(_ path: String) -> Data? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        var bytes = [UInt8](repeating: 0, count: max(0, Int(st.st_size)))
        var done = 0
        while true {
            if done == bytes.count { bytes.append(contentsOf: [UInt8](repeating: 0, count: max(4096, bytes.count))) }
            let n = bytes.withUnsafeMutableBytes { buf in Glibc.read(fd, buf.baseAddress! + done, buf.count - done) }
            if n < 0 { if errno == EINTR { continue }; return nil }
            if n == 0 { break }
            done += n
        }
        return Data(bytes[0..<done])
    }
}
