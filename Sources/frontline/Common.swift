import ArgumentParser
import Foundation
import FrontlineData
import FrontlineGeometry
import FrontlineRender

/// Options every command that reads data shares.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Data folder (default: $FRONTLINE_DATA, else the data found beside this binary; see `frontline --version`).", valueName: "dir"))
    var data: String?

    func resolveDirectory() throws -> String {
        if let data { return data }
        if let env = ProcessInfo.processInfo.environment["FRONTLINE_DATA"], !env.isEmpty { return env }
        if let found = DataLocation.find() { return found }
        throw CLIError("cannot find the frontline data (a Geodata/ folder); pass --data DIR, set FRONTLINE_DATA, or install with scripts/install.sh, which puts it in PREFIX/share/frontline/Geodata")
    }

    @Flag(name: .customLong("no-cache"), help: "Compute everything afresh: neither read nor write the cache ($XDG_CACHE_HOME/frontline: territory, parsed basemap, static map layers).")
    var noCache = false

    /// The cache of computed territory for `dataset`, unless `--no-cache`; a folder that cannot be
    /// used safely turns the cache off with a note on standard error.
    func cache(for dataset: Dataset) -> TerritoryCache? {
        noCache ? nil : OpenCaches.shared.cache(for: dataset.directory)
    }

    /// Loads the data (its basemap layers read from the cache when parsed before).
    func load() throws -> Dataset {
        var warnings: [DataProblem] = []
        let dir = try resolveDirectory()
        return try Dataset.load(directory: dir, warnings: &warnings,
                                parseCache: noCache ? nil : OpenCaches.shared.cache(for: dir))
    }
}

/// The cache of each data folder, opened once per run (the note that it cannot be used is
/// printed once).
final class OpenCaches: @unchecked Sendable {
    static let shared = OpenCaches()
    private let lock = NSLock()
    private var opened: [String: TerritoryCache?] = [:]

    func cache(for dataDirectory: String) -> TerritoryCache? {
        let dataDirectory = dataDirectory.hasSuffix("/") ? String(dataDirectory.dropLast()) : dataDirectory
        lock.lock(); defer { lock.unlock() }
        if let known = opened[dataDirectory] { return known }
        var cache: TerritoryCache?
        do { cache = try TerritoryCache(dataDirectory: dataDirectory) } catch {
            printError("note: running without the territory cache: \(error)")
        }
        opened[dataDirectory] = cache
        return cache
    }
}

struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// Parses a `--date` value, for `validate()`.
func parseDay(_ text: String, option: String) throws -> Day {
    do { return try Day(iso: text) } catch let e as DayError {
        throw ValidationError("\(option): \(e.description)")
    }
}

/// Runs the body; prints each problem on its own line to stderr and exits 1 on failure.
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let e as DataProblems {
        for p in e.problems { printError(p.description) }
        throw ExitCode(1)
    } catch let e as ExitCode {
        throw e
    } catch let e as ValidationError {
        throw e
    } catch {
        printError("\(error)")
        throw ExitCode(1)
    }
}

/// A value made on another thread meanwhile: `wait()` returns it, or throws its error.
final class Loading<T>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<T, Error>?

    init(_ body: @escaping () throws -> T) {
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            result = Result(catching: body)
            done.signal()
        }
    }

    func wait() throws -> T {
        done.wait()
        return try result!.get()
    }
}

/// Ends a successful command at once: standard output is flushed and the process exits with
/// status 0 without running the deinitialisers of everything it loaded (the system frees it).
func exitNow() -> Never {
    fflush(stdout)
    exit(0)
}

func printError(_ line: String) {
    FileHandle.standardError.write(Data(("frontline: " + line + "\n").utf8))
}

enum TableFormat: String, ExpressibleByArgument, CaseIterable { case table, json, csv }
enum RecordFormat: String, ExpressibleByArgument, CaseIterable { case csv, json }
extension LabelLanguage: ExpressibleByArgument {}

/// The snapshot and territory for one day, after checking the day is covered.
/// `forDrawing`: no people counted and banks and countries not joined (maps show neither).
func territory(_ dataset: Dataset, on day: Day, forDrawing: Bool = false,
               cache: TerritoryCache?) throws -> (ControlSnapshot, Territory, TerritoryBuilder) {
    try dataset.checkCovered(day)
    let builder = try TerritoryBuilder(dataset: dataset, cache: cache)
    let snapshot = dataset.timeline.snapshot(on: day)
    return (snapshot, try builder.build(snapshot, people: !forDrawing, merged: !forDrawing), builder)
}

/// `1234.5` with one decimal, for JSON and CSV.
func oneDecimal(_ v: Double) -> String { String(format: "%.1f", v) }

/// The options that shape a map, shared by render, frames and compare.
struct MapArguments: ParsableArguments {
    @Option(help: ArgumentHelp("Image size in pixels, WIDTHxHEIGHT (default depends on the command).", valueName: "size"))
    var size: String?

    @Option(help: ArgumentHelp("all, iraq, syria, or a box minlon,minlat,maxlon,maxlat.", valueName: "region"))
    var region: String = "all"

    @Option(help: ArgumentHelp("Colour theme from factions.csv: wikipedia (the colours readers know) or colourblind.", valueName: "theme"))
    var theme: String = "wikipedia"

    @Option(help: ArgumentHelp("Town labels in English (en), Arabic (ar) or both.", valueName: "lang"))
    var labels: LabelLanguage = .en

    func validate() throws {
        if let size { do { _ = try parseImageSize(size) } catch { throw ValidationError("--size: \(error)") } }
        guard MapRegion(parsing: region) != nil else {
            throw ValidationError("--region: unknown region '\(region)'; use all, iraq, syria or minlon,minlat,maxlon,maxlat")
        }
    }

    func options(defaultSize: String) throws -> MapOptions {
        MapOptions(size: try parseImageSize(size ?? defaultSize), region: MapRegion(parsing: region)!,
                   theme: theme, labels: labels)
    }
}
