import Foundation
import MRCore

/// Progress on standard error: a line redrawn in place on a terminal (trials done, steps/s, time
/// left), plain lines at every tenth of the work otherwise.
public final class ProgressDisplay: @unchecked Sendable {
    let total: Int, already: Int, alreadySteps: Int, label: String
    let tty = isatty(2) == 1
    let start = Date()
    var lastDraw = Date.distantPast
    var lastTenth = -1
    let lock = NSLock()

    public init(total: Int, already: Int, alreadySteps: Int, label: String) {
        self.total = total; self.already = already; self.alreadySteps = alreadySteps; self.label = label
    }

    public func update(_ p: Runner.Progress) {
        lock.withLock {
            let elapsed = Date().timeIntervalSince(start)
            let doneHere = p.done - already
            let rate = elapsed > 0 ? Double(doneHere) / elapsed : 0
            let left = rate > 0 ? Double(p.total - p.done) / rate : 0
            let stepRate = elapsed > 0 ? Double(p.steps - alreadySteps) / elapsed : 0
            let line = "\(label): \(p.done)/\(p.total) trials, \(Int(stepRate.rounded())) steps/s, \(Self.clock(left)) left"
            if tty {
                guard Date().timeIntervalSince(lastDraw) > 0.2 || p.done == p.total else { return }
                lastDraw = Date()
                FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
            } else {
                let tenth = p.total > 0 ? p.done * 10 / p.total : 10
                guard tenth != lastTenth else { return }
                lastTenth = tenth
                FileHandle.standardError.write(Data((line + "\n").utf8))
            }
        }
    }

    public func finish() {
        if tty { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    public static func clock(_ s: Double) -> String {
        let t = Int(s.rounded())
        return String(format: "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60)
    }
}
