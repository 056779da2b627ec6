#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a checkpoint was refused.
public enum CheckpointError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be opened, read or written.
    case io(path: String, reason: String)
    /// The bytes do not start with the checkpoint magic.
    case notACheckpoint
    /// A format version this code does not read.
    case unsupportedVersion(UInt32)
    /// Fewer bytes than the header announces.
    case truncated(expected: Int, actual: Int)
    /// More bytes than the header announces.
    case trailingBytes(expected: Int, actual: Int)
    /// The stored CRC-32 differs from the CRC-32 of the contents.
    case checksumMismatch(stored: UInt32, computed: UInt32)
    /// The contents are inconsistent (a length, dtype or shape that cannot be).
    case malformed(String)
    /// The checkpoint is valid but does not fit the expected parameters.
    case mismatch(String)

    public var description: String {
        switch self {
        case let .io(path, reason): return "checkpoint \(path): \(reason)"
        case .notACheckpoint: return "not an MRNeural checkpoint (bad magic bytes)"
        case let .unsupportedVersion(v): return "checkpoint format version \(v) is not supported (this build reads version \(Checkpoint.version))"
        case let .truncated(e, a): return "checkpoint is truncated: header announces \(e) bytes, found \(a)"
        case let .trailingBytes(e, a): return "checkpoint has trailing bytes: header announces \(e) bytes, found \(a)"
        case let .checksumMismatch(s, c):
            return "checkpoint is corrupted: stored CRC-32 \(String(s, radix: 16)) but contents hash to \(String(c, radix: 16))"
        case let .malformed(why): return "checkpoint is malformed: \(why)"
        case let .mismatch(why): return "checkpoint does not match the expected parameters: \(why)"
        }
    }
}

/// A saved parameter set with string metadata, in a self-checking binary format.
///
/// Layout (all integers little-endian):
///
///     "MRNCKPT1"  magic, 8 bytes
///     u32 version (1) · u32 tensor count · u32 metadata count · u64 total file length
///     metadata: (u32 key length, key UTF-8, u32 value length, value UTF-8)*, sorted by key
///     tensor headers: (u32 name length, name UTF-8, u8 dtype, u8 rank, u64 extent × rank)*
///     tensor values: raw IEEE 754 little-endian elements of each tensor in order
///     u32 CRC-32 (IEEE 802.3 polynomial) of every preceding byte
///
/// Reading checks the magic, version, announced length and checksum before parsing, then checks
/// every length against the remaining bytes; any failure is a `CheckpointError` with a message.
public struct Checkpoint: Sendable {
    /// The format version written.
    public static let version: UInt32 = 1
    static let magic: [UInt8] = Array("MRNCKPT1".utf8)

    /// The saved tensors (untracked).
    public var parameters: Parameters
    /// Free-form string metadata (e.g. step counts, configuration).
    public var metadata: [String: String]

    /// A checkpoint of `parameters` (stored untracked) with `metadata`.
    public init(parameters: Parameters, metadata: [String: String] = [:]) {
        self.parameters = parameters.detached
        self.metadata = metadata
    }

    /// The encoded bytes (deterministic: equal checkpoints give equal bytes).
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.append(contentsOf: Checkpoint.magic)
        out.appendLE(Checkpoint.version)
        out.appendLE(UInt32(parameters.count))
        out.appendLE(UInt32(metadata.count))
        let lengthAt = out.count
        out.appendLE(UInt64(0))
        for k in metadata.keys.sorted() {
            let kb = Array(k.utf8), vb = Array(metadata[k]!.utf8)
            out.appendLE(UInt32(kb.count)); out.append(contentsOf: kb)
            out.appendLE(UInt32(vb.count)); out.append(contentsOf: vb)
        }
        for (name, t) in parameters {
            let nb = Array(name.utf8)
            out.appendLE(UInt32(nb.count)); out.append(contentsOf: nb)
            out.append(t.dtype.rawValue)
            out.append(UInt8(t.rank))
            for d in t.shape { out.appendLE(UInt64(d)) }
        }
        for t in parameters.tensors {
            let bytes = t.count * t.dtype.byteSize
            out.append(contentsOf: UnsafeRawBufferPointer(start: t.storage.base, count: bytes))
        }
        let total = out.count + 4
        withUnsafeBytes(of: UInt64(total).littleEndian) { for (i, b) in $0.enumerated() { out[lengthAt + i] = b } }
        out.appendLE(crc32(out))
        return out
    }

    /// Decodes and verifies bytes produced by `encoded()`.
    public init(decoding bytes: [UInt8]) throws(CheckpointError) {
        let headerSize = 8 + 4 + 4 + 4 + 8
        guard bytes.count >= 8 else {
            if bytes.elementsEqual(Checkpoint.magic.prefix(bytes.count)) { throw .truncated(expected: headerSize + 4, actual: bytes.count) }
            throw .notACheckpoint
        }
        guard Array(bytes[0..<8]) == Checkpoint.magic else { throw .notACheckpoint }
        guard bytes.count >= headerSize + 4 else { throw .truncated(expected: headerSize + 4, actual: bytes.count) }
        var r = ByteReader(bytes: bytes, at: 8)
        let version = try r.u32()
        guard version == Checkpoint.version else { throw .unsupportedVersion(version) }
        let tensorCount = Int(try r.u32())
        let metaCount = Int(try r.u32())
        let total = try r.u64()
        guard total <= UInt64(Int.max) else { throw .malformed("announced length \(total)") }
        if Int(total) > bytes.count { throw .truncated(expected: Int(total), actual: bytes.count) }
        if Int(total) < bytes.count { throw .trailingBytes(expected: Int(total), actual: bytes.count) }
        let end = Int(total)
        var stored: UInt32 = 0
        for i in 0..<4 { stored |= UInt32(bytes[end - 4 + i]) << UInt32(8 * i) }
        let computed = bytes.withUnsafeBufferPointer { crc32(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer($0)[0..<(Int(total) - 4)])) }
        guard stored == computed else { throw .checksumMismatch(stored: stored, computed: computed) }

        r.end = Int(total) - 4
        var meta: [String: String] = [:]
        for _ in 0..<metaCount {
            let k = try r.string(), v = try r.string()
            guard meta[k] == nil else { throw .malformed("duplicate metadata key \(k)") }
            meta[k] = v
        }
        var headers: [(String, DType, [Int])] = []
        for _ in 0..<tensorCount {
            let name = try r.string()
            guard let dt = DType(rawValue: try r.u8()) else { throw .malformed("unknown dtype for \(name)") }
            let rank = Int(try r.u8())
            var shape: [Int] = []
            var n = 1
            for _ in 0..<rank {
                let d = try r.u64()
                guard d <= UInt64(r.end), n <= r.end else { throw .malformed("extent \(d) of \(name)") }
                shape.append(Int(d)); n *= Int(d)
            }
            guard !headers.contains(where: { $0.0 == name }) else { throw .malformed("duplicate tensor name \(name)") }
            headers.append((name, dt, shape))
        }
        var params = Parameters()
        for (name, dt, shape) in headers {
            let t = Tensor(uninitialized: shape, dtype: dt)
            let nbytes = t.count * dt.byteSize
            try r.copy(nbytes, into: t.storage.base, what: name)
            params.append(name, t)
        }
        guard r.at == r.end else { throw .malformed("\(r.end - r.at) unread bytes before the checksum") }
        parameters = params
        metadata = meta
    }

    /// Writes the checkpoint to `path` atomically (a temporary file renamed over `path`).
    public func write(to path: String) throws(CheckpointError) {
        let bytes = encoded()
        let tmp = path + ".tmp-\(getpid())"
        guard let f = fopen(tmp, "wb") else { throw .io(path: tmp, reason: String(cString: strerror(errno))) }
        let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) }
        let flushed = fflush(f) == 0
        fclose(f)
        guard written == bytes.count, flushed else { unlink(tmp); throw .io(path: tmp, reason: "short write") }
        guard rename(tmp, path) == 0 else {
            let why = String(cString: strerror(errno)); unlink(tmp)
            throw .io(path: path, reason: why)
        }
    }

    /// Reads and verifies the checkpoint at `path`.
    public init(contentsOf path: String) throws(CheckpointError) {
        guard let f = fopen(path, "rb") else { throw .io(path: path, reason: String(cString: strerror(errno))) }
        defer { fclose(f) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, f) }
            if n > 0 { bytes.append(contentsOf: chunk[0..<n]) }
            if n < chunk.count {
                if ferror(f) != 0 { throw .io(path: path, reason: "read error") }
                break
            }
        }
        try self.init(decoding: bytes)
    }

    /// The saved parameters, checked against `template`: same names in the same order, same shapes
    /// and dtypes. Use it when restoring into an existing network.
    public func parameters(matching template: Parameters) throws(CheckpointError) -> Parameters {
        guard parameters.names == template.names else {
            let missing = template.names.filter { !parameters.contains($0) }
            let extra = parameters.names.filter { !template.contains($0) }
            throw .mismatch("names differ (missing: \(missing), unexpected: \(extra))")
        }
        for (name, t) in template {
            let s = parameters[name]
            guard s.shape == t.shape else { throw .mismatch("\(name) has shape \(s.shape), expected \(t.shape)") }
            guard s.dtype == t.dtype else { throw .mismatch("\(name) has dtype \(s.dtype), expected \(t.dtype)") }
        }
        return parameters
    }
}

struct ByteReader {
    let bytes: [UInt8]
    var at: Int
    var end: Int

    init(bytes: [UInt8], at: Int) { self.bytes = bytes; self.at = at; end = bytes.count }

    mutating func take(_ n: Int) throws(CheckpointError) -> ArraySlice<UInt8> {
        guard n >= 0, n <= end - at else { throw .malformed("a field of \(n) bytes at offset \(at) runs past the end") }
        defer { at += n }
        return bytes[at..<(at + n)]
    }
    mutating func u8() throws(CheckpointError) -> UInt8 { try take(1).first! }
    mutating func u32() throws(CheckpointError) -> UInt32 {
        try take(4).reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    }
    mutating func u64() throws(CheckpointError) -> UInt64 {
        try take(8).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }
    mutating func string() throws(CheckpointError) -> String {
        let n = Int(try u32())
        let s = try take(n)
        guard let str = String(validating: s, as: UTF8.self) else { throw .malformed("invalid UTF-8 at offset \(at - n)") }
        return str
    }
    mutating func copy(_ n: Int, into dst: UnsafeMutableRawPointer, what: String) throws(CheckpointError) {
        guard n >= 0, n <= end - at else { throw .malformed("values of \(what) (\(n) bytes) run past the end") }
        bytes.withUnsafeBytes { src in
            if n > 0 { dst.copyMemory(from: src.baseAddress! + at, byteCount: n) }
        }
        at += n
    }
}

extension Array where Element == UInt8 {
    mutating func appendLE<T: FixedWidthInteger>(_ v: T) {
        Swift.withUnsafeBytes(of: v.littleEndian) { append(contentsOf: $0) }
    }
}

#if _endian(big)
#error("MRNeural checkpoints store raw little-endian floats; big-endian hosts are not supported")
#endif

/// The CRC-32 lookup table (reflected polynomial 0xEDB88320).
let crcTable: [UInt32] = (0..<256).map { i -> UInt32 in
    var c = UInt32(i)
    for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
    return c
}

/// CRC-32 (IEEE 802.3, as in zlib and PNG) of `bytes`.
public func crc32<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
    let table = crcTable
    var c: UInt32 = 0xFFFF_FFFF
    for b in bytes { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
    return c ^ 0xFFFF_FFFF
}
