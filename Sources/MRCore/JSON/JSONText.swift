#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The text form of a `JSONValue`: sorted keys, a chosen number format, and a small strict parser.
/// Leaderboard entries, run records, journals and the external-agent protocol all go through it,
/// so identical values always give identical bytes. (Codable types written to files use
/// `JSONCoding`; the README of MRCore says which to use when.)
public enum JSONText {
    /// How numbers are written.
    public enum Numbers: Sendable {
        /// Rounded to 6 decimals and written without trailing zeros ("0.5", "12", "-0.000001"):
        /// leaderboard entries.
        case rounded6
        /// The shortest text that reads back as exactly the same `Double` (journals, protocol).
        case exact
    }

    /// Rounds to 6 decimals (the entry's fixed rounding).
    public static func round6(_ x: Double) -> Double {
        guard x.isFinite else { return x }
        let r = (x * 1e6).rounded() / 1e6
        return r == 0 ? 0 : r // no negative zero
    }

    /// A number's text. Non-finite values become `null` (JSON has no NaN); integral values of
    /// moderate size are written as integers.
    public static func number(_ x: Double, _ mode: Numbers) -> String {
        guard x.isFinite else { return "null" }
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        switch mode {
        case .exact:
            return "\(x)"
        case .rounded6:
            let r = round6(x)
            if r == r.rounded(), abs(r) < 1e15 { return String(Int64(r)) }
            var s = formatFixed6(r)
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
            return s == "-0" ? "0" : s
        }
    }

    private static func formatFixed6(_ x: Double) -> String {
        var buf = [CChar](repeating: 0, count: 64)
        let n = withVaList([x]) { vsnprintf(&buf, 64, "%.6f", $0) }
        return String(decoding: buf[0..<Int(n)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A string literal with JSON escapes.
    public static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let h = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }

    /// Compact text on one line (journals, protocol messages).
    public static func compact(_ v: JSONValue, numbers: Numbers = .exact) -> String {
        var out = ""
        writeCompact(v, numbers, &out)
        return out
    }

    private static func writeCompact(_ v: JSONValue, _ m: Numbers, _ out: inout String) {
        switch v {
        case .null: out += "null"
        case let .bool(b): out += b ? "true" : "false"
        case let .number(d): out += number(d, m)
        case let .string(s): out += quote(s)
        case let .array(a):
            out += "["
            for (i, x) in a.enumerated() { if i > 0 { out += "," }; writeCompact(x, m, &out) }
            out += "]"
        case let .object(o):
            out += "{"
            for (i, k) in o.keys.sorted().enumerated() {
                if i > 0 { out += "," }
                out += quote(k) + ":"
                writeCompact(o[k]!, m, &out)
            }
            out += "}"
        }
    }

    /// Indented text (2 spaces, sorted keys, arrays of scalars on one line), newline-terminated.
    public static func pretty(_ v: JSONValue, numbers: Numbers = .rounded6) -> String {
        var out = ""
        writePretty(v, numbers, 0, &out)
        return out + "\n"
    }

    private static func isScalar(_ v: JSONValue) -> Bool {
        switch v { case .array, .object: return false; default: return true }
    }

    private static func writePretty(_ v: JSONValue, _ m: Numbers, _ depth: Int, _ out: inout String) {
        let pad = String(repeating: "  ", count: depth + 1), end = String(repeating: "  ", count: depth)
        switch v {
        case let .array(a) where a.isEmpty: out += "[]"
        case let .array(a) where a.allSatisfy(isScalar):
            out += "[" + a.map { compact($0, numbers: m) }.joined(separator: ", ") + "]"
        case let .array(a):
            out += "[\n"
            for (i, x) in a.enumerated() {
                out += pad
                writePretty(x, m, depth + 1, &out)
                out += i + 1 < a.count ? ",\n" : "\n"
            }
            out += end + "]"
        case let .object(o) where o.isEmpty: out += "{}"
        case let .object(o):
            out += "{\n"
            let keys = o.keys.sorted()
            for (i, k) in keys.enumerated() {
                out += pad + quote(k) + ": "
                writePretty(o[k]!, m, depth + 1, &out)
                out += i + 1 < keys.count ? ",\n" : "\n"
            }
            out += end + "}"
        default: out += compact(v, numbers: m)
        }
    }

    // MARK: - Parsing

    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public let message: String
        public let offset: Int
        public var description: String { "\(message) at byte \(offset)" }
    }

    /// Parses one JSON value (the whole text). With `allowNonFinite`, the tokens `NaN`, `Infinity`
    /// and `-Infinity` (which Python's `json.dumps` writes) are read as numbers, so that a NaN
    /// action is reported as a NaN action rather than as malformed JSON.
    public static func parse(_ text: String, allowNonFinite: Bool = false) throws(ParseError) -> JSONValue {
        try parse(Array(text.utf8), allowNonFinite: allowNonFinite)
    }

    public static func parse(_ bytes: [UInt8], allowNonFinite: Bool = false) throws(ParseError) -> JSONValue {
        var p = Parser(b: bytes, allowNonFinite: allowNonFinite)
        p.skipSpace()
        let v = try p.value(depth: 0)
        p.skipSpace()
        guard p.i == bytes.count else { throw ParseError(message: "unexpected text after the JSON value", offset: p.i) }
        return v
    }

    struct Parser {
        let b: [UInt8]
        let allowNonFinite: Bool
        var i = 0
        init(b: [UInt8], allowNonFinite: Bool) { self.b = b; self.allowNonFinite = allowNonFinite }

        mutating func skipSpace() {
            while i < b.count, b[i] == 0x20 || b[i] == 0x0a || b[i] == 0x0d || b[i] == 0x09 { i += 1 }
        }

        func fail(_ m: String) -> ParseError { ParseError(message: m, offset: i) }

        mutating func literal(_ s: String) -> Bool {
            let u = Array(s.utf8)
            guard i + u.count <= b.count, Array(b[i..<(i + u.count)]) == u else { return false }
            i += u.count
            return true
        }

        mutating func value(depth: Int) throws(ParseError) -> JSONValue {
            guard depth < 64 else { throw fail("nesting deeper than 64 levels") }
            guard i < b.count else { throw fail("unexpected end of input") }
            switch b[i] {
            case UInt8(ascii: "{"):
                i += 1
                var o: [String: JSONValue] = [:]
                skipSpace()
                if i < b.count, b[i] == UInt8(ascii: "}") { i += 1; return .object(o) }
                while true {
                    skipSpace()
                    guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
                    let k = try string()
                    skipSpace()
                    guard i < b.count, b[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                    i += 1
                    skipSpace()
                    guard o[k] == nil else { throw fail("duplicate key \"\(k)\"") }
                    o[k] = try value(depth: depth + 1)
                    skipSpace()
                    guard i < b.count else { throw fail("unexpected end of input in an object") }
                    if b[i] == UInt8(ascii: ",") { i += 1; continue }
                    if b[i] == UInt8(ascii: "}") { i += 1; return .object(o) }
                    throw fail("expected ',' or '}'")
                }
            case UInt8(ascii: "["):
                i += 1
                var a: [JSONValue] = []
                skipSpace()
                if i < b.count, b[i] == UInt8(ascii: "]") { i += 1; return .array(a) }
                while true {
                    skipSpace()
                    a.append(try value(depth: depth + 1))
                    skipSpace()
                    guard i < b.count else { throw fail("unexpected end of input in an array") }
                    if b[i] == UInt8(ascii: ",") { i += 1; continue }
                    if b[i] == UInt8(ascii: "]") { i += 1; return .array(a) }
                    throw fail("expected ',' or ']'")
                }
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): if literal("true") { return .bool(true) }
            case UInt8(ascii: "f"): if literal("false") { return .bool(false) }
            case UInt8(ascii: "n"): if literal("null") { return .null }
            case UInt8(ascii: "N"): if allowNonFinite, literal("NaN") { return .number(.nan) }
            case UInt8(ascii: "I"): if allowNonFinite, literal("Infinity") { return .number(.infinity) }
            case UInt8(ascii: "-"):
                if allowNonFinite, literal("-Infinity") { return .number(-.infinity) }
                return try number()
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
            default: break
            }
            throw fail("unexpected character '\(String(decoding: [b[i]], as: UTF8.self))'")
        }

        mutating func number() throws(ParseError) -> JSONValue {
            let start = i
            if b[i] == UInt8(ascii: "-") { i += 1 }
            func digits(_ p: inout Parser) -> Int {
                let s = p.i
                while p.i < p.b.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(p.b[p.i]) { p.i += 1 }
                return p.i - s
            }
            let intStart = i
            guard digits(&self) > 0 else { throw fail("malformed number") }
            if b[intStart] == UInt8(ascii: "0"), i - intStart > 1 { throw ParseError(message: "number with a leading zero", offset: start) }
            if i < b.count, b[i] == UInt8(ascii: ".") {
                i += 1
                guard digits(&self) > 0 else { throw fail("malformed number") }
            }
            if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
                i += 1
                if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
                guard digits(&self) > 0 else { throw fail("malformed number") }
            }
            let text = String(decoding: b[start..<i], as: UTF8.self)
            guard let d = Double(text) else { throw ParseError(message: "malformed number", offset: start) }
            return .number(d)
        }

        mutating func hex4() throws(ParseError) -> UInt32 {
            guard i + 4 <= b.count, let v = UInt32(String(decoding: b[i..<(i + 4)], as: UTF8.self), radix: 16) else {
                throw fail("malformed \\u escape")
            }
            i += 4
            return v
        }

        mutating func string() throws(ParseError) -> String {
            i += 1 // opening quote
            var bytes: [UInt8] = []
            while true {
                guard i < b.count else { throw fail("unterminated string") }
                let c = b[i]
                if c == UInt8(ascii: "\"") { i += 1; break }
                if c < 0x20 { throw fail("control character in a string") }
                if c != UInt8(ascii: "\\") { bytes.append(c); i += 1; continue }
                i += 1
                guard i < b.count else { throw fail("unterminated escape") }
                let e = b[i]; i += 1
                switch e {
                case UInt8(ascii: "\""): bytes.append(0x22)
                case UInt8(ascii: "\\"): bytes.append(0x5c)
                case UInt8(ascii: "/"): bytes.append(0x2f)
                case UInt8(ascii: "b"): bytes.append(0x08)
                case UInt8(ascii: "f"): bytes.append(0x0c)
                case UInt8(ascii: "n"): bytes.append(0x0a)
                case UInt8(ascii: "r"): bytes.append(0x0d)
                case UInt8(ascii: "t"): bytes.append(0x09)
                case UInt8(ascii: "u"):
                    var u = try hex4()
                    if (0xD800..<0xDC00).contains(u), i + 6 <= b.count, b[i] == UInt8(ascii: "\\"), b[i + 1] == UInt8(ascii: "u") {
                        i += 2
                        let lo = try hex4()
                        guard (0xDC00..<0xE000).contains(lo) else { throw fail("invalid surrogate pair") }
                        u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00)
                    }
                    guard let sc = Unicode.Scalar(u) else { throw fail("invalid \\u escape") }
                    bytes.append(contentsOf: Array(String(Character(sc)).utf8))
                default: throw fail("unknown escape")
                }
            }
            guard let s = String(validating: bytes, as: UTF8.self) else { throw fail("string is not UTF-8") }
            return s
        }
    }
}
