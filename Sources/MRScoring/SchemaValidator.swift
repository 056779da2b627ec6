import Foundation
import MRCore

/// A small JSON Schema (draft 2020-12) checker for the keywords the entry schema uses: `type`,
/// `const`, `enum`, `required`, `properties`, `additionalProperties`, `items`, `prefixItems`,
/// `minItems`, `maxItems`, `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`,
/// `pattern`, `anyOf` and local `$ref`s (`#/$defs/name`). Any other keyword is an error, so the
/// checker never silently ignores part of a schema.
public struct SchemaValidator {
    let root: JSONValue
    static let annotations: Set<String> = ["$schema", "$id", "title", "description"]

    public init(schema: JSONValue) { root = schema }

    /// The built-in entry schema.
    public static func entry() throws -> SchemaValidator { SchemaValidator(schema: try JSONText.parse(EntrySchema.text)) }

    /// Every violation, as "path: problem" (empty when the value conforms).
    public func problems(_ value: JSONValue) -> [String] {
        var out: [String] = []
        check(value, root, "$", &out)
        return out
    }

    static func typeName(_ v: JSONValue) -> String {
        switch v {
        case .null: return "null"
        case .bool: return "boolean"
        case let .number(d): return d == d.rounded() && d.isFinite ? "integer" : "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    static func matches(_ v: JSONValue, type t: String) -> Bool {
        let n = typeName(v)
        return n == t || (t == "number" && n == "integer")
    }

    func resolve(_ ref: String) -> JSONValue? {
        guard ref.hasPrefix("#/$defs/") else { return nil }
        return root["$defs"]?[String(ref.dropFirst(8))]
    }

    func check(_ v: JSONValue, _ s: JSONValue, _ path: String, _ out: inout [String]) {
        guard let schema = s.objectValue else { out.append("\(path): schema is not an object"); return }
        for (key, rule) in schema.sorted(by: { $0.key < $1.key }) {
            switch key {
            case _ where Self.annotations.contains(key), "$defs": continue
            case "$ref":
                guard let r = rule.stringValue, let target = resolve(r) else { out.append("\(path): unresolvable $ref"); continue }
                check(v, target, path, &out)
            case "type":
                let types = rule.arrayValue?.compactMap(\.stringValue) ?? [rule.stringValue ?? ""]
                if !types.contains(where: { Self.matches(v, type: $0) }) {
                    out.append("\(path): expected \(types.joined(separator: " or ")), found \(Self.typeName(v))")
                }
            case "const":
                if v != rule { out.append("\(path): must be \(JSONText.compact(rule))") }
            case "enum":
                if !(rule.arrayValue ?? []).contains(v) { out.append("\(path): \(JSONText.compact(v)) is not one of \(JSONText.compact(rule))") }
            case "required":
                guard let o = v.objectValue else { continue }
                for r in rule.arrayValue?.compactMap(\.stringValue) ?? [] where o[r] == nil { out.append("\(path): missing required member \"\(r)\"") }
            case "properties":
                guard let o = v.objectValue, let props = rule.objectValue else { continue }
                for (k, sub) in props.sorted(by: { $0.key < $1.key }) { if let x = o[k] { check(x, sub, "\(path).\(k)", &out) } }
            case "additionalProperties":
                guard let o = v.objectValue else { continue }
                let known = Set(schema["properties"]?.objectValue?.keys.map { $0 } ?? [])
                for (k, x) in o.sorted(by: { $0.key < $1.key }) where !known.contains(k) {
                    if rule == .bool(false) { out.append("\(path): unexpected member \"\(k)\"") } else if rule != .bool(true) { check(x, rule, "\(path).\(k)", &out) }
                }
            case "items":
                guard let a = v.arrayValue else { continue }
                let skip = schema["prefixItems"]?.arrayValue?.count ?? 0
                for (i, x) in a.enumerated() where i >= skip { check(x, rule, "\(path)[\(i)]", &out) }
            case "prefixItems":
                guard let a = v.arrayValue, let subs = rule.arrayValue else { continue }
                for (i, sub) in subs.enumerated() where i < a.count { check(a[i], sub, "\(path)[\(i)]", &out) }
            case "minItems":
                if let a = v.arrayValue, let n = rule.intValue, a.count < n { out.append("\(path): fewer than \(n) items") }
            case "maxItems":
                if let a = v.arrayValue, let n = rule.intValue, a.count > n { out.append("\(path): more than \(n) items") }
            case "minimum":
                if let d = v.doubleValue, let m = rule.doubleValue, d < m { out.append("\(path): \(d) < minimum \(m)") }
            case "maximum":
                if let d = v.doubleValue, let m = rule.doubleValue, d > m { out.append("\(path): \(d) > maximum \(m)") }
            case "exclusiveMinimum":
                if let d = v.doubleValue, let m = rule.doubleValue, d <= m { out.append("\(path): \(d) ≤ exclusive minimum \(m)") }
            case "exclusiveMaximum":
                if let d = v.doubleValue, let m = rule.doubleValue, d >= m { out.append("\(path): \(d) ≥ exclusive maximum \(m)") }
            case "pattern":
                guard let str = v.stringValue, let p = rule.stringValue else { continue }
                guard let re = try? NSRegularExpression(pattern: p) else { out.append("\(path): bad pattern in schema"); continue }
                if re.firstMatch(in: str, range: NSRange(str.startIndex..., in: str)) == nil { out.append("\(path): \"\(str)\" does not match \(p)") }
            case "anyOf":
                let alts = rule.arrayValue ?? []
                if !alts.contains(where: { alt in var o: [String] = []; check(v, alt, path, &o); return o.isEmpty }) {
                    out.append("\(path): matches none of the allowed forms")
                }
            default:
                out.append("\(path): the schema uses keyword \"\(key)\", which this checker does not implement")
            }
        }
    }
}
