import Foundation

/// Where a `frontline` binary finds its data when neither `--data` nor `$FRONTLINE_DATA` says:
///
/// 1. the repository, when the binary runs from inside it (`swift run`, `.build/release/frontline`);
/// 2. `PREFIX/share/frontline/Geodata` for a binary installed as `PREFIX/bin/frontline` or
///    `PREFIX/lib/frontline/frontline` (what `scripts/install.sh PREFIX` writes);
/// 3. the repository it was built in, if it still exists (a binary copied elsewhere).
///
/// An installed binary prefers the data installed with it over its build folder's, so an
/// upgrade of one never mixes with the other.
enum DataLocation {
    /// The repository this binary was compiled from (this file is `Sources/frontline/DataLocation.swift`).
    static let builtRepository: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }()

    /// The running executable, symlinks resolved.
    static var executable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
    }

    /// The folders tried, in order, for an executable at `executable` built in `repository`.
    static func candidates(executable: String, repository: String) -> [String] {
        let exeDir = URL(fileURLWithPath: executable).deletingLastPathComponent().standardizedFileURL
        let repo = URL(fileURLWithPath: repository).standardizedFileURL.path
        var out: [String] = []
        if exeDir.path == repo || exeDir.path.hasPrefix(repo + "/") { out.append(repo + "/Geodata") }
        let prefix1 = exeDir.deletingLastPathComponent()                                   // PREFIX/bin
        let prefix2 = prefix1.deletingLastPathComponent()                                  // PREFIX/lib/frontline
        for prefix in [prefix1, prefix2] {
            out.append(prefix.appendingPathComponent("share/frontline/Geodata").path)
        }
        out.append(repo + "/Geodata")
        var seen = Set<String>()
        return out.filter { seen.insert($0).inserted }
    }

    static func find(executable: String = executable, repository: String = builtRepository) -> String? {
        candidates(executable: executable, repository: repository).first {
            FileManager.default.fileExists(atPath: $0 + "/dataset.json")
        }
    }
}
