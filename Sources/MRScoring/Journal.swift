#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import MRCore

/// The journal of an evaluation: a line-delimited file next to its output. The first line
/// identifies the evaluation (benchmark digest, agent, protocol, seeds, shard); every further line
/// is one completed trial, written (unbuffered, so a killed process loses nothing written) and
/// fsynced (so a crash of the machine loses nothing either) as soon as the trial ends. Started again with the
/// same arguments, the evaluation reads the journal, skips the trials it holds and ends with the
/// same entry as an uninterrupted run. A torn last line (a kill mid-write) is ignored.
public final class Journal: @unchecked Sendable {
    public let path: String
    private let fd: Int32
    private let lock = NSLock()
    /// The completed trials read from an existing journal.
    public let recovered: [TrialRecord]

    /// Opens (or creates) the journal for the evaluation identified by `identity`.
    /// - Throws: if the file holds the journal of a different evaluation.
    public init(path: String, identity: JSONValue) throws {
        self.path = path
        let head = JSONText.compact(identity)
        var recovered: [TrialRecord] = []
        var keep = 0 // bytes of complete, valid lines
        if let data = FileManager.default.contents(atPath: path), !data.isEmpty {
            let bytes = [UInt8](data)
            var lines: [ArraySlice<UInt8>] = []
            var start = 0
            for (i, b) in bytes.enumerated() where b == 0x0a { lines.append(bytes[start..<i]); start = i + 1 }
            if let first = lines.first {
                guard String(decoding: first, as: UTF8.self) == head else {
                    throw EvaluationError.invalid("\(path) is the journal of a different evaluation (other benchmark digest, agent, seeds, shard or options); delete it to start over")
                }
                keep = first.count + 1
                for l in lines.dropFirst() {
                    guard let v = try? JSONText.parse(Array(l)), let r = try? TrialRecord(json: v) else { break }
                    recovered.append(r)
                    keep += l.count + 1
                }
            }
        }
        self.recovered = recovered
        fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw EvaluationError.invalid("cannot open journal \(path): \(String(cString: strerror(errno)))") }
        _ = ftruncate(fd, off_t(keep))
        _ = lseek(fd, off_t(keep), SEEK_SET)
        if keep == 0 { try writeLine(head) }
    }

    private func writeLine(_ s: String) throws {
        let bytes = Array((s + "\n").utf8)
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard n == bytes.count else { throw EvaluationError.invalid("cannot write journal \(path)") }
        guard fsync(fd) == 0 else { throw EvaluationError.invalid("cannot flush journal \(path): \(String(cString: strerror(errno)))") }
    }

    /// Appends a completed trial.
    public func append(_ r: TrialRecord) {
        lock.withLock { try? writeLine(JSONText.compact(r.json)) }
    }

    /// Closes and (on success) removes the journal.
    public func finish(remove: Bool) {
        close(fd)
        if remove { unlink(path) }
    }
}
