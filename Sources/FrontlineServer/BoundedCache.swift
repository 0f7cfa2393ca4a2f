import Foundation

/// A thread-safe least-recently-used cache bounded by entry count and by a total cost (bytes),
/// whichever is reached first. `value(for:compute:)` computes a missing entry once: callers
/// asking for a key another thread is computing wait for its result instead of repeating it.
final class BoundedCache<Key: Hashable, Value>: @unchecked Sendable {
    let maxCount: Int
    let maxCost: Int
    private let condition = NSCondition()
    private var entries: [Key: (value: Value, cost: Int, used: UInt64)] = [:]
    private var inFlight: Set<Key> = []
    private var clock: UInt64 = 0
    private(set) var totalCost = 0
    private(set) var hits = 0
    private(set) var misses = 0

    init(maxCount: Int, maxCost: Int = .max) {
        self.maxCount = max(1, maxCount)
        self.maxCost = maxCost
    }

    var count: Int { condition.lock(); defer { condition.unlock() }; return entries.count }

    func cached(_ key: Key) -> Value? {
        condition.lock(); defer { condition.unlock() }
        guard let e = entries[key] else { return nil }
        clock += 1
        entries[key]!.used = clock
        hits += 1
        return e.value
    }

    /// The cached value, or the one `compute` returns (with its cost), stored for next time.
    /// An entry costlier than the whole bound is returned but not kept.
    func value(for key: Key, compute: () throws -> (Value, cost: Int)) throws -> Value {
        condition.lock()
        while true {
            if let e = entries[key] {
                clock += 1
                entries[key]!.used = clock
                hits += 1
                condition.unlock()
                return e.value
            }
            if !inFlight.contains(key) { break }
            condition.wait()
        }
        inFlight.insert(key)
        misses += 1
        condition.unlock()

        let result: (Value, cost: Int)
        do {
            result = try compute()
        } catch {
            condition.lock(); inFlight.remove(key); condition.broadcast(); condition.unlock()
            throw error
        }
        condition.lock()
        inFlight.remove(key)
        if result.cost <= maxCost {
            clock += 1
            entries[key] = (result.0, result.cost, clock)
            totalCost += result.cost
            evict()
        }
        condition.broadcast()
        condition.unlock()
        return result.0
    }

    private func evict() {
        while entries.count > maxCount || totalCost > maxCost {
            guard let oldest = entries.min(by: { $0.value.used < $1.value.used }) else { return }
            totalCost -= oldest.value.cost
            entries.removeValue(forKey: oldest.key)
        }
    }
}
