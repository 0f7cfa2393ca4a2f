import ArgumentParser
import CMemory
import Foundation
import FrontlineData
import FrontlineGeometry
import FrontlineRender

@main
struct Frontline: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "frontline",
        abstract: "Dated, sourced maps of territorial control in Iraq and Syria (2014–2019).",
        discussion: """
        Every map is derived from a timeline of dated, sourced control events for named places \
        (Geodata/timeline/*.csv). Examples:

          frontline render --date 2017-11-19 --out map.png
          frontline render --date 2017-10-17 --region syria --labels both --out raqqa.svg
          frontline frames --from 2017-09-01 --to 2017-11-30 --step 7d --out frames/ --video collapse.mp4
          frontline compare 2017-06-01 2017-12-01 --out change.png --report change.md
          frontline stats --date 2017-11-19 --format json
          frontline control --date 2017-11-19 --format csv
          frontline export --date 2017-11-19 --out territory.geojson
          frontline validate
          frontline serve                  # the interactive map at http://127.0.0.1:8080/

        Data is read from --data DIR, else $FRONTLINE_DATA, else the repository the binary runs \
        from, else PREFIX/share/frontline/Geodata beside an installed binary (scripts/install.sh), \
        else the repository it was built in. `frontline --version` names the folder and its digest.
        """,
        subcommands: [Render.self, Frames.self, Compare.self, Stats.self, Control.self, Export.self, Validate.self, Serve.self]
    )

    static let version = "0.8.0"

    static func main() async {
        // Keep freed memory for reuse instead of giving it back to the system at once: maps,
        // their pixels and each zlib stream are megabytes, allocated and freed for every map, and
        // glibc would otherwise map them afresh each time, so the kernel zeroed every page again
        // (a sixth of the time of a run of frames).
        _ = frontline_keep_freed_memory()
        await main(nil)
    }

    @Flag(help: "Print the version and the data folder, its counts and digest.") var version = false
    mutating func run() async throws {
        guard version else { throw CleanExit.helpRequest(Frontline.self) }
        // No --data here: a parent's options would also capture the subcommands' --data.
        // FRONTLINE_DATA=dir frontline --version describes another folder.
        let dataOptions = try DataOptions.parse([])
        print("frontline \(Frontline.version)")
        do {
            let dir = try dataOptions.resolveDirectory()
            let dataset = try dataOptions.load()
            print("data: \(dir)")
            print("      \(dataset.gazetteer.places.count) places, \(dataset.timeline.events.count) events, \(dataset.info.coverageFrom) … \(dataset.info.coverageTo)")
            print("      sha256 \(try DataDigest.of(directory: dir))")
        } catch {
            print("data: none found (\(error))")
        }
    }
}
