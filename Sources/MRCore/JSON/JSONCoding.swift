#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// JSON of `Codable` types through Foundation's `JSONEncoder`, with one setting everywhere: sorted
/// keys, no escaped slashes, and (for files) Foundation's pretty printing. The frozen task sets,
/// `Assets/MANIFEST.json`, configs, run folders' `run.json` and every `--json` output are written
/// with it. Integers keep their exact value (a `UInt64` seed above 2^53 included), which a
/// `JSONValue` (numbers are `Double`) could not promise.
public enum JSONCoding {
    public static func encoder(pretty: Bool = false) -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = pretty ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted] : [.sortedKeys, .withoutEscapingSlashes]
        return e
    }

    /// The canonical bytes of a value.
    public static func data<T: Encodable>(_ value: T, pretty: Bool = false) throws -> Data { try encoder(pretty: pretty).encode(value) }

    /// The canonical text of a value (without a final newline).
    public static func text<T: Encodable>(_ value: T, pretty: Bool = false) throws -> String {
        String(decoding: try data(value, pretty: pretty), as: UTF8.self)
    }

    /// A typed value as a `JSONValue`. With `keepingNonFinite`, a non-finite `Double` (which JSON
    /// text cannot hold, and Foundation's encoder refuses) becomes a `.number` with that value,
    /// which `JSONText` writes as `null`; without it, encoding one throws.
    public static func value<T: Encodable>(of v: T, keepingNonFinite: Bool = false) throws -> JSONValue {
        guard keepingNonFinite else { return try JSONDecoder().decode(JSONValue.self, from: data(v)) }
        let e = encoder()
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: nonFinite + "+inf", negativeInfinity: nonFinite + "-inf",
                                                                nan: nonFinite + "nan")
        return restoringNonFinite(try JSONDecoder().decode(JSONValue.self, from: e.encode(v)))
    }

    /// The prefix of the placeholder strings of non-finite numbers (`value(of:keepingNonFinite:)`).
    static let nonFinite = "\u{0}non-finite:"

    static func restoringNonFinite(_ v: JSONValue) -> JSONValue {
        switch v {
        case let .string(s) where s.hasPrefix(nonFinite):
            switch s.dropFirst(nonFinite.count) {
            case "+inf": return .number(.infinity)
            case "-inf": return .number(-.infinity)
            default: return .number(.nan)
            }
        case let .array(a): return .array(a.map(restoringNonFinite))
        case let .object(o): return .object(o.mapValues(restoringNonFinite))
        default: return v
        }
    }

    /// JSON bytes decoded as a typed value.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try JSONDecoder().decode(T.self, from: data)
    }

    /// A `JSONValue` decoded as a typed value.
    public static func decode<T: Decodable>(_ type: T.Type, from v: JSONValue) throws -> T {
        try JSONDecoder().decode(T.self, from: data(v))
    }
}
