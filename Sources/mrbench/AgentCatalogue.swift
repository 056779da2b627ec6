import ArgumentParser
import Foundation
import MRAgents
import MRCore
import MRNeural

/// The one list of agents: `list` shows it, `evaluate` and `render` resolve `--agent` through it,
/// `train` finds its trainers in it.
enum AgentCatalogue {
    struct Entry: Encodable {
        /// What to write after `--agent`.
        let id: String
        let kind: String
        /// Whether `mrbench train --agent <name>` trains it.
        let trainable: Bool
        let summary: String
    }

    static let entries: [Entry] = [
        Entry(id: "random", kind: "builtin", trainable: false, summary: "uniform random actions: the floor of every leaderboard"),
        Entry(id: "expert", kind: "builtin, privileged", trainable: false, summary: "the scripted experts; they see the goal, so their score is an upper reference"),
        Entry(id: "rl2:PATH", kind: "builtin, checkpoint", trainable: true,
              summary: "RL² (GRU policy, PPO) from a checkpoint of `mrbench train --agent rl2`"),
        Entry(id: "maml:PATH", kind: "builtin, checkpoint", trainable: true,
              summary: "MAML (tanh Gaussian MLP, TRPO outer loop, exact second order) from a checkpoint of `mrbench train --agent maml`"),
        Entry(id: "pearl:PATH", kind: "builtin, checkpoint", trainable: true,
              summary: "PEARL (SAC with a probabilistic context encoder, posterior sampling) from a checkpoint of `mrbench train --agent pearl`"),
        Entry(id: "gargaml:PATH", kind: "builtin, checkpoint", trainable: true,
              summary: "GARGAML (goal-conditioned SAC + HER, critic meta-learned through k inner updates) from a checkpoint of `mrbench train --agent gargaml`"),
        Entry(id: "sac-her:PATH", kind: "builtin, checkpoint", trainable: true,
              summary: "multi-task SAC + HER (one shared buffer, no adaptation) from a checkpoint of `mrbench train --agent sac-her`"),
        Entry(id: "cmd:'<command line>'", kind: "external", trainable: false,
              summary: "an external process speaking docs/agent-protocol.md"),
    ]

    /// Names `mrbench train --agent` accepts.
    static var trainable: [String] { entries.filter(\.trainable).map { String($0.id.prefix { $0 != ":" }) } }

    /// A parsed `--agent` value.
    enum Choice: Equatable {
        case random
        case expert
        /// A trained baseline: its catalogue name and checkpoint path.
        case checkpoint(agent: String, path: String)
        case external(commandLine: String)
    }

    static func parse(_ text: String) throws -> Choice {
        switch text {
        case "random": return .random
        case "expert": return .expert
        case let t where t.hasPrefix("cmd:"): return .external(commandLine: String(t.dropFirst(4)))
        default:
            if let colon = text.firstIndex(of: ":"), trainable.contains(String(text[..<colon])) {
                let path = String(text[text.index(after: colon)...])
                guard !path.isEmpty else { throw ValidationError("--agent \(text): give the checkpoint path after the colon") }
                return .checkpoint(agent: String(text[..<colon]), path: path)
            }
            throw ValidationError("unknown agent '\(text)': use one of \(entries.map(\.id).joined(separator: ", "))")
        }
    }

    /// A trained agent loaded from its checkpoint, with what its leaderboard entry records.
    struct Loaded {
        let learner: any MetaLearner
        let name: String
        let checkpointDigest: String
        let trainingSteps: Int?
        let trainingSeed: UInt64?
        let benchmark: String?
    }

    static func load(agent: String, path: String) throws -> Loaded {
        guard let bytes = FileManager.default.contents(atPath: path) else {
            throw ValidationError("cannot read the checkpoint \(path)")
        }
        let checkpoint: Checkpoint
        do { checkpoint = try Checkpoint(decoding: [UInt8](bytes)) } catch { throw ValidationError("\(path): \(error)") }
        switch agent {
        case RL2Agent.catalogueName:
            let a: RL2Agent
            do { a = try RL2Agent(checkpoint: checkpoint) } catch { throw ValidationError("\(path): \(error)") }
            return Loaded(learner: a, name: a.name, checkpointDigest: SHA256.hex([UInt8](bytes)),
                          trainingSteps: a.trainingSteps, trainingSeed: a.trainingSeed, benchmark: a.benchmark)
        case MAMLAgent.catalogueName:
            let a: MAMLAgent
            do { a = try MAMLAgent(checkpoint: checkpoint) } catch { throw ValidationError("\(path): \(error)") }
            return Loaded(learner: a, name: a.name, checkpointDigest: SHA256.hex([UInt8](bytes)),
                          trainingSteps: a.trainingSteps, trainingSeed: a.trainingSeed, benchmark: a.benchmark)
        case PEARLAgent.catalogueName:
            let a: PEARLAgent
            do { a = try PEARLAgent(checkpoint: checkpoint) } catch { throw ValidationError("\(path): \(error)") }
            return Loaded(learner: a, name: a.name, checkpointDigest: SHA256.hex([UInt8](bytes)),
                          trainingSteps: a.trainingSteps, trainingSeed: a.trainingSeed, benchmark: a.benchmark)
        case let name where GoalLearnerVariant(rawValue: name) != nil:
            let a: GARGAMLAgent
            do { a = try GARGAMLAgent(checkpoint: checkpoint, expected: GoalLearnerVariant(rawValue: name)!) } catch { throw ValidationError("\(path): \(error)") }
            return Loaded(learner: a, name: a.name, checkpointDigest: SHA256.hex([UInt8](bytes)),
                          trainingSteps: a.trainingSteps, trainingSeed: a.trainingSeed, benchmark: a.benchmark)
        default:
            throw ValidationError("no checkpoint loader for '\(agent)'")
        }
    }

    /// A new trainer of `agent`, from a preset and an optional config file laid over it.
    static func trainer(agent: String, tasks: TrainingTasks, preset: String, configFile: Data?, seed: UInt64) throws -> any MetaTrainer {
        switch agent {
        case RL2Agent.catalogueName:
            guard let base = RL2Config.preset(preset) else { throw ValidationError("unknown --preset '\(preset)': use smoke, cpu or paper") }
            return try RL2Trainer(tasks: tasks, config: try ConfigCoding.overlay(base, with: configFile), seed: seed)
        case MAMLAgent.catalogueName:
            guard let base = MAMLConfig.preset(preset, benchmark: tasks.benchmark) else {
                throw ValidationError("unknown --preset '\(preset)': use smoke, cpu or paper")
            }
            return try MAMLTrainer(tasks: tasks, config: try ConfigCoding.overlay(base, with: configFile), seed: seed)
        case PEARLAgent.catalogueName:
            guard let base = PEARLConfig.preset(preset, benchmark: tasks.benchmark) else {
                throw ValidationError("unknown --preset '\(preset)': use smoke, cpu or paper")
            }
            return try PEARLTrainer(tasks: tasks, config: try ConfigCoding.overlay(base, with: configFile), seed: seed)
        case let name where GoalLearnerVariant(rawValue: name) != nil:
            guard let base = GARGAMLConfig.preset(preset) else { throw ValidationError("unknown --preset '\(preset)': use smoke, cpu or paper") }
            return try GARGAMLTrainer(variant: GoalLearnerVariant(rawValue: name)!, tasks: tasks,
                                      config: try ConfigCoding.overlay(base, with: configFile), seed: seed)
        default:
            throw ValidationError("'\(agent)' cannot be trained; trainable agents: \(trainable.joined(separator: ", "))")
        }
    }

    /// A trainer restored from its run's checkpoint.
    /// (For trainers with bulk state, `checkpoint` is the run folder's merged `readTrainingState()`.)
    static func resume(agent: String, tasks: TrainingTasks, checkpoint: Checkpoint) throws -> any MetaTrainer {
        switch agent {
        case let name where GoalLearnerVariant(rawValue: name) != nil:
            return try GARGAMLTrainer(variant: GoalLearnerVariant(rawValue: name)!, tasks: tasks, checkpoint: checkpoint)
        case RL2Agent.catalogueName: return try RL2Trainer(tasks: tasks, checkpoint: checkpoint)
        case MAMLAgent.catalogueName: return try MAMLTrainer(tasks: tasks, checkpoint: checkpoint)
        case PEARLAgent.catalogueName: return try PEARLTrainer(tasks: tasks, checkpoint: checkpoint)
        default: throw ValidationError("'\(agent)' cannot be trained; trainable agents: \(trainable.joined(separator: ", "))")
        }
    }

    /// The resolved configuration of a trainer, as `config.json` holds it.
    static func configJSON(_ trainer: any MetaTrainer) throws -> Data {
        if let t = trainer as? RL2Trainer { return try ConfigCoding.encode(t.config) }
        if let t = trainer as? MAMLTrainer { return try ConfigCoding.encode(t.config) }
        if let t = trainer as? PEARLTrainer { return try ConfigCoding.encode(t.config) }
        if let t = trainer as? GARGAMLTrainer { return try ConfigCoding.encode(t.config) }
        return Data("{}".utf8)
    }
}
