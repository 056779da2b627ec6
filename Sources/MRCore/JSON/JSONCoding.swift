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

    /// A typed value as a `JSONValue`.
    public static func value<T: Encodable>(of v: T) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: data(v))
    }

    /// A `JSONValue` decoded as a typed value.
    public static func decode<T: Decodable>(_ type: T.Type, from v: JSONValue) throws -> T {
        try JSONDecoder().decode(T.self, from: data(v))
    }
}
