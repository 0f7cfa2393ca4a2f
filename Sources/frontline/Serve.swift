import ArgumentParser
import Foundation
import FrontlineData
import FrontlineServer
import Hummingbird

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the interactive map and its HTTP API on this computer.",
        discussion: """
        Loads the data once and answers from memory: the page (a map for every day, with a \
        slider, zoom, towns and their sources, compare mode) at the printed URL, and the API \
        under /api (see the README). Listens on loopback only unless --host says otherwise; \
        --port 0 picks a free port. Ctrl-C stops it.

          frontline serve
          frontline serve --port 9000
          frontline serve --host 0.0.0.0 --port 8080     # reachable from other machines
        """
    )

    @OptionGroup var dataOptions: DataOptions
    @Option(help: "Port to listen on (0: any free port).") var port: Int = 8080
    @Option(help: "Address to listen on; 127.0.0.1 keeps it to this computer.") var host: String = "127.0.0.1"
    @Option(help: "Worker threads drawing maps (default: one per core).") var workers: Int?

    mutating func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port: \(port) is not a port number (0…65535)") }
        if let workers, !(1...64).contains(workers) { throw ValidationError("--workers: \(workers) is out of range (1…64)") }
    }

    func run() async throws {
        let started = Date()
        let service: MapService
        do {
            service = try MapService(dataset: try dataOptions.load(),
                                     workers: workers ?? ProcessInfo.processInfo.activeProcessorCount)
        } catch let e as DataProblems {
            for p in e.problems { printError(p.description) }
            throw ExitCode(1)
        } catch let e as ValidationError {
            throw e
        } catch {
            printError("\(error)")
            throw ExitCode(1)
        }
        let d = service.dataset
        let app = try buildApplication(service: service, host: host, port: port) { url in
            let ms = Int(Date().timeIntervalSince(started) * 1000)
            print("frontline serve: \(url) (\(d.gazetteer.places.count) places, \(d.timeline.events.count) events, \(d.info.coverageFrom) to \(d.info.coverageTo); ready in \(ms) ms; Ctrl-C stops)")
            fflush(stdout)
        }
        do {
            try await app.runService()
        } catch {
            printError("cannot serve on \(host):\(port): \(error)")
            throw ExitCode(1)
        }
    }
}
