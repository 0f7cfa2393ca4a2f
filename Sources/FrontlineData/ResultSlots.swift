import Foundation

/// One slot per task of a parallel loop (`DispatchQueue.concurrentPerform`), each set from the
/// thread that ran the task and read once they are all done, in task order.
public final class ResultSlots<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [T?]

    public init(_ count: Int) { slots = Array(repeating: nil, count: count) }

    public func set(_ i: Int, _ value: T) { lock.lock(); slots[i] = value; lock.unlock() }

    /// The values in task order; nil for a task that set none.
    public var values: [T?] { lock.lock(); defer { lock.unlock() }; return slots }
}
