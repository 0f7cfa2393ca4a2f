import Crypto
import Foundation
import FrontlineData

/// A digest of a data folder, so a map can name exactly the data it was drawn from
/// (`frontline --version`): SHA-256 over every file's relative path, size and bytes, in path
/// order, leaving out `tools/` (the inputs of the basemap builder, not read by frontline).
public enum DataDigest {
    public static func of(directory: String) throws -> String {
        let fm = FileManager.default
        let root = URL(fileURLWithPath: directory).standardizedFileURL
        guard let walker = fm.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else {
            throw CocoaError(.fileReadNoSuchFile)
        }
        var files: [String] = []
        for case let url as URL in walker {
            let rel = String(url.standardizedFileURL.path.dropFirst(root.path.count + 1))
            if rel == "tools" || rel.hasPrefix("tools/") { walker.skipDescendants(); continue }
            if (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true { files.append(rel) }
        }
        var h = SHA256()
        for rel in files.sorted() {
            guard let data = FileBytes.read(root.appendingPathComponent(rel).path) else {
                throw CocoaError(.fileReadUnknown, userInfo: [NSFilePathErrorKey: rel])
            }
            h.update(data: Data(rel.utf8)); h.update(data: Data([0]))
            h.update(data: Data(String(data.count).utf8)); h.update(data: Data([0]))
            h.update(data: data)
        }
        return h.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
