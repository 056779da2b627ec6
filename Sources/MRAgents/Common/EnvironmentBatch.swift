import Dispatch
import MRCore

/// Environments stepped side by side, one episode cursor each, across worker threads. Stepping an
/// environment touches only that environment, so results do not depend on the number of threads.
public final class EnvironmentBatch {
    public let environments: [LearnerEnvironment]
    /// One cursor slot per environment; a buffer, not an array, so that worker threads can step
    /// different slots at once without touching a shared array's storage.
    private let cursors: UnsafeMutableBufferPointer<EpisodeCursor?>
    public let threads: Int

    public init(_ environments: [LearnerEnvironment], threads: Int) {
        precondition(!environments.isEmpty && threads >= 1)
        self.environments = environments
        self.threads = threads
        cursors = .allocate(capacity: environments.count)
        cursors.initialize(repeating: nil)
    }

    deinit {
        _ = cursors.deinitialize()
        cursors.deallocate()
    }

    /// The cursor of environment `i` (nil before its first reset).
    public func cursor(_ i: Int) -> EpisodeCursor? { cursors[i] }

    public var count: Int { environments.count }

    /// Starts a new episode of environment `i`; returns its first observation.
    @discardableResult
    public func reset(_ i: Int, seed: UInt64) -> [Float] {
        let c = EpisodeCursor(environments[i], seed: seed, horizon: environments[i].horizon)
        cursors[i] = c
        return c.observation
    }

    /// The current observation of environment `i` (its episode must have begun).
    public func observation(_ i: Int) -> [Float] { cursors[i]!.observation }

    /// Steps the environments in `indices` with `actions[k]` (for `indices[k]`), in parallel.
    /// Actions are clipped to the action space here (a learner's Gaussian sample is unbounded).
    /// - Returns: the transitions, in the order of `indices`.
    public func step(_ indices: [Int], actions: [[Float]]) throws -> [Transition] {
        precondition(indices.count == actions.count)
        let results = Slots<Result<Transition, Error>>(count: indices.count)
        let work: (Int) -> Void = { k in
            let i = indices[k]
            let space = self.environments[i].actionSpace
            let a = zip(actions[k], zip(space.low, space.high)).map { v, b in min(max(v, b.0), b.1) }
            results.set(k, Result { try self.cursors[i]!.step(a) })
        }
        let workers = min(threads, indices.count)
        if workers <= 1 {
            for k in indices.indices { work(k) }
        } else {
            let box = UncheckedSendable(work)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                var k = w
                while k < indices.count { box.value(k); k += workers }
            }
        }
        return try results.values.enumerated().map { k, r in
            do { return try r!.get() } catch {
                throw TrainingError.environment("environment \(indices[k]): \(error)")
            }
        }
    }
}

/// Per-index result slots written by concurrent workers, each index by exactly one.
final class Slots<T>: @unchecked Sendable {
    private let buffer: UnsafeMutableBufferPointer<T?>
    init(count: Int) { buffer = .allocate(capacity: count); buffer.initialize(repeating: nil) }
    deinit { _ = buffer.deinitialize(); buffer.deallocate() }
    func set(_ i: Int, _ v: T) { buffer[i] = v }
    var values: [T?] { Array(buffer) }
}

/// Hands a closure or value to `concurrentPerform`; each index touches its own data only.
struct UncheckedSendable<T>: @unchecked Sendable { let value: T; init(_ v: T) { value = v } }
