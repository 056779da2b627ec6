#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one work queue of mrbench's parallel loops: hands out the indices 0..<count, in increasing
/// order, to any number of threads, each index exactly once; after the last, `take()` returns nil.
///
/// Workers loop on `while let i = queue.take() { … }`. Which thread takes which index depends on
/// timing, so callers store each result by its index (never in completion order) and their results
/// do not depend on the number of threads. Used by the evaluation runner (trials), the expert
/// report (episodes); guarded by a pthread mutex (MRCore imports no Foundation).
public final class WorkQueue: @unchecked Sendable {
    /// The number of indices the queue hands out.
    public let count: Int
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var next = 0

    /// A queue of the indices 0..<count.
    public init(count: Int) {
        precondition(count >= 0, "a work queue cannot hold \(count) indices")
        self.count = count
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// The next index not handed out yet, or nil once all `count` have been.
    public func take() -> Int? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        guard next < count else { return nil }
        defer { next += 1 }
        return next
    }
}
