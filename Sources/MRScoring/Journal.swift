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
///
/// The journal is bound to its run: a random key (`keyPath`, by default `<journal>.key`; the CLI
/// keeps it in a private directory outside what a sandboxed agent can see, mode 0600) authenticates a chain over the header and every trial line
/// (HMAC-SHA256 of the previous tag and the line, appended after a tab). A journal written by
/// another run, one without its key, or one edited by hand (a line changed, added, removed or
/// reordered) is refused on resume.
public final class Journal: @unchecked Sendable {
    public let path: String
    private let fd: Int32
    private let lock = NSLock()
    private let key: [UInt8]
    private var tag: [UInt8]
    /// Where the journal's key is.
    public let keyPath: String
    /// The completed trials read from an existing journal, in index order.
    public let recovered: [TrialRecord]

    /// Opens (or creates) the journal for the evaluation identified by `identity`.
    /// - Throws: if the file holds the journal of a different evaluation.
    public init(path: String, identity: JSONValue, keyPath: String? = nil) throws {
        self.path = path
        let keyPath = keyPath ?? path + ".key"
        self.keyPath = keyPath
        let head = JSONText.compact(identity)
        var recovered: [TrialRecord] = []
        var keep = 0 // bytes of complete, valid lines
        let existing = FileManager.default.contents(atPath: path).map { [UInt8]($0) } ?? []
        if existing.isEmpty {
            unlink(keyPath)
            key = try Self.newKey(keyPath)
        } else {
            guard let k = FileManager.default.contents(atPath: keyPath), k.count == 32 else {
                throw EvaluationError.invalid("\(path) has no key (\(keyPath)) and cannot be trusted: it was not written by this run; delete it to start over")
            }
            key = [UInt8](k)
        }
        tag = Self.hmac(key, Array(head.utf8))
        if !existing.isEmpty {
            var lines: [ArraySlice<UInt8>] = []
            var start = 0
            for (i, b) in existing.enumerated() where b == 0x0a { lines.append(existing[start..<i]); start = i + 1 }
            if let first = lines.first {
                guard String(decoding: first, as: UTF8.self) == head else {
                    throw EvaluationError.invalid("\(path) is the journal of a different evaluation (other benchmark digest, agent, seeds, shard or options); delete it to start over")
                }
                keep = first.count + 1
                for (n, l) in lines.dropFirst().enumerated() {
                    guard let tab = l.lastIndex(of: 0x09), Self.hex(Self.hmac(key, tag + Array(l[..<tab]))) == String(decoding: l[(tab + 1)...], as: UTF8.self),
                          let v = try? JSONText.parse(Array(l[..<tab])), let r = try? TrialRecord(json: v)
                    else {
                        throw EvaluationError.invalid("\(path): line \(n + 2) fails its check: the journal was edited or comes from another run; delete it to start over")
                    }
                    tag = Self.hmac(key, tag + Array(l[..<tab]))
                    recovered.append(r)
                    keep += l.count + 1
                }
            }
        }
        // Trials finish (and are appended) in whatever order the threads end them; hand them back in
        // index order, so a recovered journal reads the same however many threads wrote it.
        self.recovered = recovered.sorted { $0.index < $1.index }
        fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw EvaluationError.invalid("cannot open journal \(path): \(String(cString: strerror(errno)))") }
        _ = ftruncate(fd, off_t(keep))
        _ = lseek(fd, off_t(keep), SEEK_SET)
        if keep == 0 { try writeLine(head) }
    }

    /// 32 random bytes from the OS, written to a new file only the owner can read.
    private static func newKey(_ path: String) throws -> [UInt8] {
        var g = SystemRandomNumberGenerator()
        let k = (0..<32).map { _ in UInt8.random(in: 0...255, using: &g) }
        let kfd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard kfd >= 0 else { throw EvaluationError.invalid("cannot create journal key \(path): \(String(cString: strerror(errno)))") }
        defer { close(kfd) }
        guard k.withUnsafeBytes({ write(kfd, $0.baseAddress, 32) }) == 32, fsync(kfd) == 0 else {
            throw EvaluationError.invalid("cannot write journal key \(path)")
        }
        return k
    }

    /// HMAC-SHA256 (RFC 2104) with a 32-byte key.
    static func hmac(_ key: [UInt8], _ message: [UInt8]) -> [UInt8] {
        let k = key + [UInt8](repeating: 0, count: 64 - key.count)
        var inner = SHA256(), outer = SHA256()
        inner.update(k.map { $0 ^ 0x36 } + message)
        outer.update(k.map { $0 ^ 0x5c } + inner.finalize())
        return outer.finalize()
    }

    static func hex(_ b: [UInt8]) -> String { b.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined() }

    private func writeLine(_ s: String) throws {
        let bytes = Array((s + "\n").utf8)
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard n == bytes.count else { throw EvaluationError.invalid("cannot write journal \(path)") }
        guard fsync(fd) == 0 else { throw EvaluationError.invalid("cannot flush journal \(path): \(String(cString: strerror(errno)))") }
    }

    /// Appends a completed trial.
    public func append(_ r: TrialRecord) {
        lock.withLock {
            let line = JSONText.compact(r.json)
            tag = Self.hmac(key, tag + Array(line.utf8))
            try? writeLine(line + "\t" + Self.hex(tag))
        }
    }

    /// Closes and (on success) removes the journal.
    public func finish(remove: Bool) {
        close(fd)
        if remove { unlink(path); unlink(keyPath) }
    }
}
