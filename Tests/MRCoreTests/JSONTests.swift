import MRCore
import Testing

/// The JSON of every module (MRCore/JSON): `JSONText`'s number forms, layout and strict parser,
/// and `JSONCoding`'s encoder settings.
@Suite("JSON text and coding")
struct JSONTests {
    @Test func numbersHaveOneFixedForm() throws {
        #expect(JSONText.number(0.1234565, .rounded6) == "0.123457" || JSONText.number(0.1234565, .rounded6) == "0.123456")
        #expect(JSONText.number(2.5, .rounded6) == "2.5")
        #expect(JSONText.number(3, .rounded6) == "3")
        #expect(JSONText.number(-0.0000001, .rounded6) == "0")
        #expect(JSONText.number(-12.3456789, .rounded6) == "-12.345679")
        #expect(JSONText.number(.nan, .rounded6) == "null")
        #expect(JSONText.number(0.1, .exact) == "0.1")
        // Rounded values read back as the same double.
        for x in [0.123457, -3.000001, 1234.5, 1e-6] {
            #expect(JSONText.round6(x) == x)
            #expect(try JSONText.parse(JSONText.number(x, .rounded6)) == .number(x))
        }
    }

    @Test func prettyIsSortedAndStable() throws {
        let v: JSONValue = .object(["b": .array([.number(1), .number(2.5)]), "a": .object(["z": .null, "y": .string("q\"\n")])])
        let s = JSONText.pretty(v)
        #expect(s == "{\n  \"a\": {\n    \"y\": \"q\\\"\\n\",\n    \"z\": null\n  },\n  \"b\": [1, 2.5]\n}\n")
        #expect(try JSONText.parse(s) == v)
    }

    @Test func parserIsStrict() throws {
        for bad in ["{", "[1,]", "{\"a\":1,\"a\":2}", "01", "NaN", "{\"a\" 1}", "\"\\x\"", "1 2", ""] {
            #expect(throws: JSONText.ParseError.self, "\(bad)") { _ = try JSONText.parse(bad) }
        }
        #expect(try JSONText.parse("[NaN, -Infinity]", allowNonFinite: true).arrayValue?.count == 2)
        #expect(try JSONText.parse("\"\\u00e9\\ud83d\\ude00\"") == .string("é😀"))
    }

    @Test func codingSortsKeysAndKeepsSlashes() throws {
        struct S: Codable, Equatable { var b = "a/b"; var a = 1; var seed: UInt64 = 18_446_744_073_709_551_615 }
        #expect(try JSONCoding.text(S()) == "{\"a\":1,\"b\":\"a/b\",\"seed\":18446744073709551615}")
        #expect(try JSONCoding.text(S(), pretty: true) == "{\n  \"a\" : 1,\n  \"b\" : \"a/b\",\n  \"seed\" : 18446744073709551615\n}")
        let v = try JSONCoding.value(of: ["x": 0.5, "y": -2])
        #expect(v == .object(["x": .number(0.5), "y": .number(-2)]))
        #expect(try JSONCoding.decode([String: Double].self, from: v) == ["x": 0.5, "y": -2])
    }
}
