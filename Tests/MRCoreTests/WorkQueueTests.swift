import Dispatch
import Foundation
import MRCore
import Testing

/// `WorkQueue`: the one index dispenser of the parallel loops (runner, expert report).
@Suite("work queue")
struct WorkQueueTests {
    /// What each thread took, in the order it took them.
    final class Taken: @unchecked Sendable {
        private let lock = NSLock()
        private var lists: [[Int]] = []
        func add(_ list: [Int]) { lock.withLock { lists.append(list) } }
        var all: [[Int]] { lock.withLock { lists } }
    }

    @Test func everyIndexIsHandedOutExactlyOnceAcrossThreads() {
        let n = 20_000, threads = 8
        let queue = WorkQueue(count: n)
        let taken = Taken()
        let start = DispatchSemaphore(value: 0)
        let group = DispatchGroup()
        for _ in 0..<threads {
            group.enter()
            Thread.detachNewThread {
                start.wait()  // all threads start taking together
                var mine: [Int] = []
                while let i = queue.take() { mine.append(i) }
                // Once the queue is empty it stays empty.
                for _ in 0..<3 { if let i = queue.take() { mine.append(-1 - i) } }
                taken.add(mine)
                group.leave()
            }
        }
        for _ in 0..<threads { start.signal() }
        group.wait()
        let lists = taken.all
        #expect(lists.count == threads)
        let all = lists.flatMap { $0 }
        #expect(all.count == n, "indices handed out: \(all.count), expected \(n)")
        #expect(all.sorted() == Array(0..<n), "every index in 0..<\(n) exactly once, none after the end")
        // Each thread sees its indices in increasing order (the queue hands them out in order).
        for l in lists { #expect(zip(l, l.dropFirst()).allSatisfy { $0 < $1 }) }
        #expect(queue.take() == nil)
    }

    @Test func oneThreadTakesThemInOrderThenNil() {
        let queue = WorkQueue(count: 5)
        var got: [Int] = []
        while let i = queue.take() { got.append(i) }
        #expect(got == [0, 1, 2, 3, 4])
        #expect(queue.take() == nil && queue.take() == nil)
        #expect(queue.count == 5)
    }

    @Test func anEmptyQueueHandsOutNothing() {
        let queue = WorkQueue(count: 0)
        #expect(queue.take() == nil)
    }
}
