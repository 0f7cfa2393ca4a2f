import ArgumentParser
import Foundation
import FrontlineData
import FrontlineGeometry

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the data folder and list every problem.",
        discussion: """
        Checks every file: CSV syntax, known place and faction ids, real dates, a source URL on \
        every event, places inside the region, no place changing hands twice on one day without \
        a note, duplicate rows. Prints one line per problem as file:line: message and exits \
        non-zero if there is any error (warnings alone exit 0).
        """
    )

    @OptionGroup var dataOptions: DataOptions

    func run() throws {
        try reportingErrors {
            var warnings: [DataProblem] = []
            let dir = try dataOptions.resolveDirectory()
            let dataset: Dataset
            do {
                dataset = try Dataset.load(directory: dir, warnings: &warnings)
            } catch let e as DataProblems {
                for w in warnings { printError(w.description) }
                for p in e.problems { printError(p.description) }
                printError("\(e.problems.count) error(s), \(warnings.count) warning(s)")
                throw ExitCode(1)
            }
            let lint = dataset.lint() + (try TerritoryBuilder(dataset: dataset)).zoneProblems(file: displayPath(dir, "zones.csv"))
            let all = warnings + lint
            for p in all { print(p.description) }
            let errors = all.filter { $0.severity == .error }.count
            let starts = dataset.startRows
            print("\(dir): \(dataset.gazetteer.places.count) places, \(dataset.timeline.events.count) events (\(dataset.timeline.events.count - starts.all) dated changes, \(starts.all) start-of-coverage states of which \(starts.unknown) inferred), \(dataset.sieges.count) sieges, \(dataset.factions.factions.count) factions; \(errors) error(s), \(all.count - errors) warning(s)")
            if errors > 0 { throw ExitCode(1) }
        }
    }
}
