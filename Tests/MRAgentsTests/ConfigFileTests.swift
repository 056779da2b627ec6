import Foundation
import MRCore
import MRNeural
import Testing
import _MRTestSupport
@testable import MRAgents

/// The config files users and runs write keep decoding as they always have: every committed run
/// folder's `config.json`, and the config its checkpoint carries, decode as the agent's config
/// type and encode back to the same bytes (the SAC settings PEARL and GARGAML embed stay top-level keys).
@Suite("Committed configs")
struct ConfigFileTests {
    /// Run folders under Baselines/ (relative to the package root) with the agent that trained them.
    static let folders = committedRunFolders(holding: "config.json")

    /// Decodes `text` as `agent`'s config and encodes it back (canonical text).
    static func roundTrip(_ text: String, agent: String) throws -> String {
        func again<C: Codable>(_ type: C.Type) throws -> String {
            String(decoding: try ConfigCoding.encode(try ConfigCoding.decode(type, from: text)), as: UTF8.self)
        }
        switch agent {
        case "rl2": return try again(RL2Config.self)
        case "maml": return try again(MAMLConfig.self)
        case "pearl": return try again(PEARLConfig.self)
        case "gargaml", "sac-her": return try again(GARGAMLConfig.self)
        default: Issue.record("unknown agent \(agent)"); return ""
        }
    }

    @Test func theBaselinesHoldEveryAgentsConfigs() {
        let agents = Set(Self.folders.map { $0.split(separator: "/")[1] })
        #expect(agents == ["rl2", "maml", "pearl", "gargaml", "sac-her"], "\(Self.folders)")
    }

    @Test(arguments: folders)
    func committedConfigDecodesAndEncodesBackByteIdentical(folder: String) throws {
        let dir = TestSupport.packageRoot + "/" + folder
        let agent = String(folder.split(separator: "/")[1])
        let file = try #require(FileManager.default.contents(atPath: dir + "/config.json"))
        let text = String(decoding: file, as: UTF8.self)
        #expect(try Self.roundTrip(text, agent: agent) + "\n" == text)
        let ck = try Checkpoint(contentsOf: dir + "/checkpoint.mrnc")
        let carried = try #require(ck.metadata["config"])
        #expect(try Self.roundTrip(carried, agent: agent) == carried)
        #expect(carried + "\n" == text)
    }

    /// An overlay names the SAC settings and the learner's own keys side by side, as before.
    @Test func overlaysSetSACAndOwnKeysAtTheTopLevel() throws {
        let pearl = try ConfigCoding.overlay(PEARLConfig.smoke(benchmark: "point-nav-v1"),
                                             with: Data(#"{"tau": 0.02, "batchSize": 32, "latentSize": 3}"#.utf8))
        #expect(pearl.sac.tau == 0.02 && pearl.sac.batchSize == 32 && pearl.latentSize == 3)
        let gargaml = try ConfigCoding.overlay(GARGAMLConfig.smoke, with: Data(#"{"hiddenSizes": [8], "replayK": 2}"#.utf8))
        #expect(gargaml.sac.hiddenSizes == [8] && gargaml.replayK == 2)
        #expect(throws: TrainingError.self) { try ConfigCoding.overlay(GARGAMLConfig.smoke, with: Data(#"{"sac": {}}"#.utf8)) }
        let text = String(decoding: try ConfigCoding.encode(GARGAMLConfig.smoke), as: UTF8.self)
        #expect(text.contains(#""hiddenSizes" : ["#) && !text.contains("sac"))
    }

    /// Every preset of both learners survives its own JSON: each key written is read back.
    @Test func sacLearnerPresetsRoundTripThroughTheirJSON() throws {
        for name in ["smoke", "cpu", "paper"] {
            let g = try #require(GARGAMLConfig.preset(name))
            #expect(try ConfigCoding.decode(GARGAMLConfig.self, from: String(decoding: ConfigCoding.encode(g), as: UTF8.self)) == g)
            for benchmark in ["point-nav-v1", "point-nav-sparse-v1", "half-cheetah-vel-v2", "ml10-v3"] {
                let p = try #require(PEARLConfig.preset(name, benchmark: benchmark))
                #expect(try ConfigCoding.decode(PEARLConfig.self, from: String(decoding: ConfigCoding.encode(p), as: UTF8.self)) == p)
            }
        }
    }

    /// Each SAC setting is validated once, for both learners.
    @Test func sacSettingsAreValidatedForBothLearners() {
        var pearl = PEARLConfig.smoke(benchmark: "point-nav-v1"), gargaml = GARGAMLConfig.smoke
        #expect(throws: Never.self) { try pearl.validate() }
        #expect(throws: Never.self) { try gargaml.validate() }
        pearl.sac.tau = 0; gargaml.sac.tau = 0
        #expect(throws: TrainingError.configuration("learningRate > 0, 0 < gamma ≤ 1, 0 < tau ≤ 1")) { try pearl.validate() }
        #expect(throws: TrainingError.configuration("learningRate > 0, 0 < gamma ≤ 1, 0 < tau ≤ 1")) { try gargaml.validate() }
    }
}
