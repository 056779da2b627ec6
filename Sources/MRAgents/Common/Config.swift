import Foundation
import MRCore

/// Configuration files: a preset's JSON with a user file's keys laid over it. Unknown keys are an
/// error (a typo must not silently train with a default), and the result is stored in canonical
/// form (sorted keys) in the checkpoint and in `config.json`.
public enum ConfigCoding {
    /// `preset` with the keys of `overlay` (a JSON object's text) replacing its own.
    public static func overlay<C: Codable>(_ preset: C, with overlay: Data?) throws -> C {
        guard let overlay else { return preset }
        let base = try JSONSerialization.jsonObject(with: try encode(preset)) as! [String: Any]
        guard let extra = try? JSONSerialization.jsonObject(with: overlay) as? [String: Any] else {
            throw TrainingError.configuration("the config file is not a JSON object")
        }
        let unknown = extra.keys.filter { base[$0] == nil && !optionalKeys(C.self).contains($0) }.sorted()
        guard unknown.isEmpty else {
            throw TrainingError.configuration("unknown key\(unknown.count > 1 ? "s" : "") \(unknown.joined(separator: ", ")); known: \(base.keys.sorted().joined(separator: ", "))")
        }
        let merged = base.merging(extra) { _, new in new }
        do {
            return try JSONDecoder().decode(C.self, from: try JSONSerialization.data(withJSONObject: merged))
        } catch {
            throw TrainingError.configuration("\(error)")
        }
    }

    /// Keys a config may hold that its preset leaves out (optional fields that are nil).
    static func optionalKeys<C>(_ type: C.Type) -> [String] {
        (type as? OptionalConfigKeys.Type)?.optionalKeys ?? []
    }

    /// Canonical JSON: sorted keys, pretty.
    public static func encode<C: Encodable>(_ config: C) throws -> Data {
        try JSONCoding.data(config, pretty: true)
    }

    public static func decode<C: Decodable>(_ type: C.Type, from text: String) throws -> C {
        do { return try JSONDecoder().decode(type, from: Data(text.utf8)) } catch {
            throw TrainingError.configuration("\(error)")
        }
    }
}

/// Configs with optional fields name them, so an overlay may set them.
public protocol OptionalConfigKeys { static var optionalKeys: [String] { get } }
