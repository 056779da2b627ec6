import Dispatch
import Foundation

/// Runs a vector environment's per-slot work on its threads.
protocol SlotRunner: AnyObject {
    /// The threads that take part in a call (the calling thread included).
    var participants: Int { get }
    /// Calls `body(i)` once for every slot i in 0..<slots, returning when all calls have returned.
    func run(_ body: @escaping (Int) -> Void)
    /// Stops and joins the runner's threads; `run` must not be called afterwards.
    func shutdown()
}

/// Builds the runner of a vector environment: a `WorkerPool` on Linux, `DispatchQueue.concurrentPerform` elsewhere.
func makeSlotRunner(slots: Int, threads: Int) -> SlotRunner {
    #if os(Linux)
    return WorkerPool(slots: slots, threads: threads)
    #else
    return DispatchRunner(slots: slots, threads: threads)
    #endif
}

/// Contiguous chunks of `slots` for `parts` participants: chunk c is bounds[c]..<bounds[c + 1].
func chunkBounds(slots: Int, parts: Int) -> [Int] { (0...parts).map { $0 * slots / parts } }

/// One `DispatchQueue.concurrentPerform` per call (wakes a pooled thread every call).
final class DispatchRunner: SlotRunner {
    let slots: Int
    let participants: Int

    init(slots: Int, threads: Int) {
        self.slots = slots
        participants = max(1, min(threads, slots))
    }

    func run(_ body: @escaping (Int) -> Void) {
        if participants == 1 { for i in 0..<slots { body(i) }; return }
        let bounds = chunkBounds(slots: slots, parts: participants)
        let work = UncheckedBox(body)
        DispatchQueue.concurrentPerform(iterations: participants) { c in
            for i in bounds[c]..<bounds[c + 1] { work.value(i) }
        }
    }

    func shutdown() {}
}

#if os(Linux)
import Glibc
import Synchronization

/// Threads a vector environment keeps for its whole life, so that back-to-back calls from Python
/// do not each pay a thread wake-up (as `DispatchQueue.concurrentPerform` did, with a barrier per call).
///
/// A call splits the slots into one contiguous chunk per participant: the calling thread takes
/// chunk 0, worker w chunk w. A participant that has finished its chunk takes the next unclaimed
/// slots of the others' chunks, so one slow step or auto-reset, or a worker the OS has not run
/// yet, does not hold the call up: the caller steps whatever nobody has claimed, then waits only
/// for the workers that joined the call and are still inside a slot. Each slot is stepped exactly
/// once, by one thread, so results do not depend on the split.
///
/// The call is a gate word: its sequence number, whether it is open, and how many workers are
/// inside. A worker joins only an open gate it has not joined before (one compare-and-swap); the
/// caller closes the gate once every slot is claimed. Between calls a worker spins for
/// `spinNanoseconds` watching the gate, then sleeps on a condition variable; a caller waiting for
/// a worker inside a slot likewise spins, then sleeps. `shutdown` (from the vector's deinit) stops
/// and joins every worker.
///
/// Unchecked Sendable: `body`, `bounds` and `seq` are written by the calling thread only while the
/// gate is closed with no worker inside, and reach the workers through the gate's opening store and
/// their joining compare-and-swap; `tids` and `threads` are under the mutex or the caller's.
final class WorkerPool: SlotRunner, @unchecked Sendable {
    /// How long an idle worker (and a waiting caller) spins before it sleeps.
    static let spinNanoseconds: UInt64 = 50_000
    /// Worker stacks: at least this, as a main thread's default.
    static let stackBytes = 8 << 20

    private static let openBit = 1 << 31
    private static let insideMask = (1 << 31) - 1

    let slots: Int
    private(set) var participants = 1

    /// (sequence << 32) | open bit | workers inside.
    private let gate = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    /// Workers asleep (or going to sleep) on `wake`.
    private let sleepers = Atomic<Int>(0)
    /// The caller is asleep (or going to sleep) on `done`.
    private let callerAsleep = Atomic<Bool>(false)
    /// Next unclaimed slot of each chunk.
    private let cursors: [Cursor]
    private var bounds: [Int] = []
    private var body: ((Int) -> Void)?
    private var seq = 0

    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let wake: UnsafeMutablePointer<pthread_cond_t>
    private let done: UnsafeMutablePointer<pthread_cond_t>
    private var threads: [pthread_t] = []
    private var stopped = false
    /// The workers' kernel thread ids (under the mutex), for tests to see them end.
    private var tids: [Int] = []
    /// The process the workers run in: a forked child has none of them, and steps every slot itself.
    private let owner = getpid()

    final class Cursor: Sendable { let next = Atomic<Int>(0) }

    /// Holds the pool for a worker until the worker returns.
    private final class Start {
        let pool: WorkerPool
        let index: Int
        init(_ pool: WorkerPool, _ index: Int) { self.pool = pool; self.index = index }
    }

    init(slots: Int, threads: Int) {
        self.slots = slots
        let wanted = max(1, min(threads, slots))
        cursors = (0..<wanted).map { _ in Cursor() }
        mutex = .allocate(capacity: 1)
        wake = .allocate(capacity: 1)
        done = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(wake, nil)
        pthread_cond_init(done, nil)

        var attr = pthread_attr_t()
        pthread_attr_init(&attr)
        defer { pthread_attr_destroy(&attr) }
        var size = 0
        pthread_attr_getstacksize(&attr, &size)
        if size < Self.stackBytes { pthread_attr_setstacksize(&attr, Self.stackBytes) }
        let entry: @convention(c) (UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? = { raw in
            let start = Unmanaged<Start>.fromOpaque(raw!).takeRetainedValue()
            start.pool.work(index: start.index)
            return nil
        }
        // A worker that cannot be started (a thread limit) leaves fewer participants, not an error.
        for w in 1..<wanted {
            let context = Unmanaged.passRetained(Start(self, w)).toOpaque()
            var tid = pthread_t()
            guard pthread_create(&tid, &attr, entry, context) == 0 else {
                Unmanaged<Start>.fromOpaque(context).release()
                break
            }
            self.threads.append(tid)
        }
        participants = self.threads.count + 1
        bounds = chunkBounds(slots: slots, parts: participants)
        // Every worker has started (and told its thread id) before the first call.
        pthread_mutex_lock(mutex)
        while tids.count < self.threads.count { pthread_cond_wait(done, mutex) }
        pthread_mutex_unlock(mutex)
    }

    deinit {
        pthread_cond_destroy(done)
        pthread_cond_destroy(wake)
        pthread_mutex_destroy(mutex)
        done.deallocate()
        wake.deallocate()
        mutex.deallocate()
    }

    func run(_ body: @escaping (Int) -> Void) {
        precondition(!stopped, "WorkerPool.run after shutdown")
        if participants == 1 || getpid() != owner { for i in 0..<slots { body(i) }; return }
        // The gate is closed with nobody inside: nothing reads these until it opens.
        self.body = body
        for c in 0..<participants { cursors[c].next.store(bounds[c], ordering: .relaxed) }
        seq = seq == Self.insideMask ? 1 : seq + 1  // never 0, the gate's initial sequence
        // Opens the gate (publishing the above). Sequentially consistent with a worker's `sleepers`
        // increment: either this sees the sleeper, or the sleeper sees the open gate.
        gate.store(seq << 32 | Self.openBit, ordering: .sequentiallyConsistent)
        if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
            pthread_mutex_lock(mutex)
            pthread_cond_broadcast(wake)
            pthread_mutex_unlock(mutex)
        }
        claim(first: 0)
        // Every slot is claimed: close the gate, then wait for the workers still inside.
        let closed = gate.bitwiseAnd(~Self.openBit, ordering: .sequentiallyConsistent).newValue
        if closed & Self.insideMask != 0, !spin(until: { gate.load(ordering: .acquiring) & Self.insideMask == 0 }) {
            pthread_mutex_lock(mutex)
            callerAsleep.store(true, ordering: .sequentiallyConsistent)
            while gate.load(ordering: .sequentiallyConsistent) & Self.insideMask != 0 { pthread_cond_wait(done, mutex) }
            callerAsleep.store(false, ordering: .relaxed)
            pthread_mutex_unlock(mutex)
        }
        self.body = nil
    }

    /// The workers' kernel thread ids (as in /proc/self/task; -1 where /proc could not tell).
    var workerThreadIDs: [Int] {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return tids
    }

    func shutdown() {
        guard !stopped else { return }
        stopped = true
        guard getpid() == owner else { threads = []; return }  // a forked child: nothing to join
        stopping.store(true, ordering: .sequentiallyConsistent)
        pthread_mutex_lock(mutex)
        pthread_cond_broadcast(wake)
        pthread_mutex_unlock(mutex)
        for t in threads { pthread_join(t, nil) }
        threads = []
    }

    /// A worker's loop: wait for a call it has not joined, join it if still open, take part, leave.
    private func work(index: Int) {
        let link = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self")
        pthread_mutex_lock(mutex)
        tids.append(link?.split(separator: "/").last.flatMap { Int($0) } ?? -1)
        pthread_cond_broadcast(done)
        pthread_mutex_unlock(mutex)
        var joined = 0  // the sequence number of the last call seen
        func callable(_ g: Int) -> Bool { g & Self.openBit != 0 && g >> 32 != joined }
        while true {
            if !spin(until: { callable(gate.load(ordering: .relaxed)) || stopping.load(ordering: .relaxed) }) {
                pthread_mutex_lock(mutex)
                sleepers.wrappingAdd(1, ordering: .sequentiallyConsistent)
                while !callable(gate.load(ordering: .sequentiallyConsistent)) && !stopping.load(ordering: .sequentiallyConsistent) {
                    pthread_cond_wait(wake, mutex)
                }
                sleepers.wrappingSubtract(1, ordering: .relaxed)
                pthread_mutex_unlock(mutex)
            }
            if stopping.load(ordering: .acquiring) { return }
            var g = gate.load(ordering: .relaxed)
            var inside = false
            while callable(g) {
                let (exchanged, original) = gate.compareExchange(expected: g, desired: g + 1, ordering: .sequentiallyConsistent)
                if exchanged { inside = true; break }
                g = original
            }
            joined = g >> 32  // joined, or found closed: either way done with this call
            guard inside else { continue }
            claim(first: index)
            // The last worker out of a closed gate wakes a sleeping caller; sequentially consistent
            // with the caller's `callerAsleep` store, and signalled under the mutex it waits with.
            let left = gate.wrappingSubtract(1, ordering: .sequentiallyConsistent).newValue
            if left & Self.insideMask == 0, left & Self.openBit == 0, callerAsleep.load(ordering: .sequentiallyConsistent) {
                pthread_mutex_lock(mutex)
                pthread_cond_signal(done)
                pthread_mutex_unlock(mutex)
            }
        }
    }

    /// Steps the slots of chunk `first`, then whatever is left of the other chunks.
    private func claim(first: Int) {
        guard let body else { return }
        for k in 0..<participants {
            let c = (first + k) % participants
            let hi = bounds[c + 1]
            while true {
                let i = cursors[c].next.wrappingAdd(1, ordering: .relaxed).oldValue
                if i >= hi { break }
                body(i)
            }
        }
    }

    /// Polls `ready` for up to `spinNanoseconds`, yielding the core between bursts of polls (to a
    /// runnable thread if there is one: on a busy host a spinning worker would take the core from
    /// the thread it waits for); false if it never held.
    @inline(__always)
    private func spin(until ready: () -> Bool) -> Bool {
        if ready() { return true }
        let deadline = DispatchTime.now().uptimeNanoseconds + Self.spinNanoseconds
        while true {
            for _ in 0..<64 where ready() { return true }
            if DispatchTime.now().uptimeNanoseconds >= deadline { return ready() }
            sched_yield()
        }
    }
}
#endif
