import MRCore
import Testing
@testable import MRNeural
#if canImport(Glibc)
import Glibc
#endif

func sampleParameters() -> Parameters {
    var g = SeededGenerator(seed: 31)
    let mlp = MLP("q", sizes: [5, 7, 3])
    var p = mlp.initialParameters(using: &g)
    p["special"] = Tensor(floats: [.nan, -0.0, .infinity, -.infinity, .leastNonzeroMagnitude, .greatestFiniteMagnitude], shape: [2, 3])
    p["double"] = Tensor.randomNormal([4], dtype: .float64, using: &g)
    p["scalar"] = Tensor(scalar: 3.25)
    p["empty"] = Tensor.zeros([0, 4])
    return p
}

func tempPath(_ name: String) -> String { "/tmp/mrneural-test-\(getpid())-\(name).ckpt" }

@Suite("Checkpoints")
struct CheckpointTests {
    @Test("round trip through bytes and a file is bit-exact, metadata included")
    func roundTrip() throws {
        let p = sampleParameters()
        let ck = Checkpoint(parameters: p, metadata: ["step": "1200", "agent": "sac"])
        let bytes = ck.encoded()
        let back = try Checkpoint(decoding: bytes)
        #expect(back.parameters.bitwiseEqual(p))
        #expect(back.metadata == ["step": "1200", "agent": "sac"])
        #expect(back.encoded() == bytes)

        let path = tempPath("roundtrip")
        defer { unlink(path) }
        try ck.write(to: path)
        let loaded = try Checkpoint(contentsOf: path)
        #expect(loaded.parameters.bitwiseEqual(p))
        #expect(try loaded.parameters(matching: p).bitwiseEqual(p))
        // NaN payloads and signed zeros survive (bit patterns, not values, are compared).
        #expect(loaded.parameters["special"].floats[1].sign == .minus)
    }

    @Test("every truncation is refused with a message")
    func truncation() {
        let bytes = Checkpoint(parameters: sampleParameters()).encoded()
        for n in [0, 3, 8, 20, 31, 32, 100, bytes.count / 2, bytes.count - 5, bytes.count - 1] {
            do {
                _ = try Checkpoint(decoding: Array(bytes[0..<n]))
                Issue.record("a checkpoint truncated to \(n) of \(bytes.count) bytes was accepted")
            } catch {
                #expect(String(describing: error).contains("truncated") || (n == 0 && error == .notACheckpoint),
                        "truncated to \(n): \(error)")
            }
        }
        var longer = bytes; longer.append(0)
        #expect(throws: CheckpointError.trailingBytes(expected: bytes.count, actual: bytes.count + 1)) { try Checkpoint(decoding: longer) }
    }

    @Test("any single altered byte is refused (checksum, magic, version or length)")
    func corruption() {
        let bytes = Checkpoint(parameters: sampleParameters(), metadata: ["k": "v"]).encoded()
        var refused = 0
        for i in 0..<bytes.count {
            var bad = bytes
            bad[i] ^= UInt8(1 << (i % 8))
            do {
                _ = try Checkpoint(decoding: bad)
            } catch {
                refused += 1
                #expect(!String(describing: error).isEmpty)
                if i >= 28 && i < bytes.count - 4 {
                    #expect(error == .checksumMismatch(stored: storedCRC(bytes), computed: crc32(bad[0..<(bad.count - 4)])))
                }
            }
        }
        #expect(refused == bytes.count, "\(bytes.count - refused) altered files were accepted")
        print("== checkpoint: \(bytes.count)-byte file, all \(bytes.count) single-bit alterations refused")
    }

    @Test("a valid checkpoint that does not fit the network is refused")
    func mismatch() throws {
        let p = sampleParameters()
        let ck = try Checkpoint(decoding: Checkpoint(parameters: p).encoded())
        var other = p
        other["q.0.weight"] = Tensor.zeros([5, 8])
        #expect(throws: CheckpointError.mismatch("q.0.weight has shape [5, 7], expected [5, 8]")) { try ck.parameters(matching: other) }
        let fewer = p.filtered(prefix: "q.")
        do { _ = try ck.parameters(matching: fewer); Issue.record("accepted a checkpoint with extra tensors") }
        catch { #expect(String(describing: error).contains("unexpected")) }
        #expect(throws: CheckpointError.notACheckpoint) { try Checkpoint(decoding: Array("hello, world! not a checkpoint".utf8)) }
        var v2 = ck.encoded(); v2[8] = 2
        #expect(throws: CheckpointError.unsupportedVersion(2)) { try Checkpoint(decoding: v2) }
        #expect(throws: CheckpointError.self) { try Checkpoint(contentsOf: "/nonexistent/dir/x.ckpt") }
    }

    @Test("a truncated file on disk is refused")
    func truncatedFile() throws {
        let path = tempPath("trunc")
        defer { unlink(path) }
        try Checkpoint(parameters: sampleParameters()).write(to: path)
        #expect(truncate(path, 50) == 0)
        do { _ = try Checkpoint(contentsOf: path); Issue.record("accepted a truncated file") }
        catch {
            print("== checkpoint: truncated file refused with: \(error)")
            #expect(String(describing: error).contains("truncated"))
        }
    }

    @Test("CRC-32 matches the standard check value")
    func crcCheckValue() {
        #expect(crc32(Array("123456789".utf8)) == 0xCBF4_3926)
    }
}

func storedCRC(_ b: [UInt8]) -> UInt32 {
    var s: UInt32 = 0
    for i in 0..<4 { s |= UInt32(b[b.count - 4 + i]) << UInt32(8 * i) }
    return s
}
