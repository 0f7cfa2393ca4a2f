import Dispatch
import Foundation
import FrontlineData
import FrontlineGeometry

/// What one thread needs to derive territory: its own `TerritoryBuilder`, whose GEOS context and
/// PROJ projection no other thread touches.
final class Worker {
    let builder: TerritoryBuilder
    init(dataset: Dataset) throws { builder = try TerritoryBuilder(dataset: dataset) }
}

/// A fixed set of workers, one per core: blocking work (GEOS, PROJ, Cairo) runs on a dispatch
/// thread with a worker checked out for it alone, off the server's event loops. Requests beyond
/// the number of workers wait in order.
final class WorkerPool: @unchecked Sendable {
    private let lock = NSLock()
    private var free: [Worker]
    private var waiting: [CheckedContinuation<Worker, Never>] = []
    private let queue = DispatchQueue(label: "frontline.serve.workers", attributes: .concurrent)
    let size: Int

    init(workers: [Worker]) {
        precondition(!workers.isEmpty)
        free = workers
        size = workers.count
    }

    func run<T>(_ body: @escaping (Worker) throws -> T) async throws -> T {
        let worker = await checkOut()
        defer { checkIn(worker) }
        return try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body(worker) }) }
        }
    }

    private func checkOut() async -> Worker {
        await withCheckedContinuation { continuation in
            lock.lock()
            if let w = free.popLast() {
                lock.unlock()
                continuation.resume(returning: w)
            } else {
                waiting.append(continuation)
                lock.unlock()
            }
        }
    }

    private func checkIn(_ worker: Worker) {
        lock.lock()
        if waiting.isEmpty {
            free.append(worker)
            lock.unlock()
        } else {
            let next = waiting.removeFirst()
            lock.unlock()
            next.resume(returning: worker)
        }
    }
}
