import Foundation
import MRCore
import MRNeural

/// What every trainer's checkpoint holds besides its tensors, and how trainers and checkpoint
/// agents read it back: the format tag, the agent, the benchmark, the canonical config, the seed,
/// the counters and the policy's input and output sizes. Errors are `TrainingError.checkpoint`.
enum TrainingCheckpoint {
    /// The metadata of a trainer's checkpoint (`extra` adds the agent's own keys).
    static func metadata<C: Encodable>(format: String, agent: String, tasks: TrainingTasks, config: C, seed: UInt64,
                                       iteration: Int, environmentSteps: Int, gradientSteps: Int,
                                       extra: [String: String] = [:]) -> [String: String] {
        let configText = String(decoding: (try? ConfigCoding.encode(config)) ?? Data(), as: UTF8.self)
        let c = tasks.context
        return [
            "format": format, "agent": agent, "benchmark": tasks.benchmark, "config": configText,
            "seed": String(seed), "iteration": String(iteration), "environmentSteps": String(environmentSteps),
            "gradientSteps": String(gradientSteps), "observationSize": String(c.observationSpace.dimension),
            "actionSize": String(c.actionSpace.dimension),
        ].merging(extra) { _, new in new }
    }

    /// Loads a checkpoint file.
    static func load(_ path: String) throws -> Checkpoint {
        do { return try Checkpoint(contentsOf: path) } catch { throw TrainingError.checkpoint("\(error)") }
    }

    /// The config and seed of a checkpoint a trainer resumes from, after checking its format
    /// (`kind` names it in the message: "an RL²") and that it trained on `tasks`' benchmark.
    static func resumable<C: Decodable>(_ ck: Checkpoint, format: String, kind: String, tasks: TrainingTasks,
                                        config: C.Type) throws -> (config: C, seed: UInt64) {
        let m = ck.metadata
        guard m["format"] == format else { throw TrainingError.checkpoint("not \(kind) training checkpoint (format \(m["format"] ?? "none"))") }
        guard m["benchmark"] == tasks.benchmark else {
            throw TrainingError.checkpoint("the checkpoint trained on \(m["benchmark"] ?? "?"), not \(tasks.benchmark)")
        }
        let config = try ConfigCoding.decode(C.self, from: m["config"] ?? "")
        guard let s = m["seed"].flatMap(UInt64.init) else { throw TrainingError.checkpoint("no seed in the checkpoint") }
        return (config, s)
    }

    /// (iteration, environment steps, gradient steps).
    static func counters(_ ck: Checkpoint) throws -> (iteration: Int, environmentSteps: Int, gradientSteps: Int) {
        let m = ck.metadata
        guard let it = m["iteration"].flatMap(Int.init), let es = m["environmentSteps"].flatMap(Int.init),
              let gs = m["gradientSteps"].flatMap(Int.init) else { throw TrainingError.checkpoint("counters missing") }
        return (it, es, gs)
    }

    /// The tensors stored under `prefix`, renamed without it and checked against `template`.
    static func parameters(_ ck: Checkpoint, prefix: String, matching template: Parameters) throws -> Parameters {
        do { return try Checkpoint(parameters: ck.parameters.filtered(prefix: prefix, droppingPrefix: true)).parameters(matching: template) }
        catch { throw TrainingError.checkpoint("\(error)") }
    }

    /// The config and policy sizes of a checkpoint a checkpoint agent loads, after checking its
    /// format (`kind` names it in the message: "an RL²").
    static func policy<C: Decodable>(_ ck: Checkpoint, format: String, kind: String,
                                     config: C.Type) throws -> (config: C, observationSize: Int, actionSize: Int) {
        let m = ck.metadata
        guard m["format"] == format else { throw TrainingError.checkpoint("not \(kind) checkpoint (format \(m["format"] ?? "none"))") }
        let config = try ConfigCoding.decode(C.self, from: m["config"] ?? "")
        guard let obs = m["observationSize"].flatMap(Int.init), let act = m["actionSize"].flatMap(Int.init) else {
            throw TrainingError.checkpoint("the checkpoint lacks its sizes")
        }
        return (config, obs, act)
    }

    /// Refuses a benchmark whose spaces differ from the ones the checkpoint's policy was trained for.
    static func checkSizes(_ context: AgentContext, observationSize: Int, actionSize: Int) throws {
        guard context.observationSpace.dimension == observationSize, context.actionSpace.dimension == actionSize else {
            throw TrainingError.checkpoint("the policy was trained for \(observationSize) observations and \(actionSize) actions; this benchmark has \(context.observationSpace.dimension) and \(context.actionSpace.dimension)")
        }
    }

    /// What a checkpoint agent reports about its training (the leaderboard entry's provenance):
    /// environment steps, the run's seed, the benchmark.
    static func provenance(_ ck: Checkpoint) -> (environmentSteps: Int?, seed: UInt64?, benchmark: String?) {
        let m = ck.metadata
        return (m["environmentSteps"].flatMap(Int.init), m["seed"].flatMap(UInt64.init), m["benchmark"])
    }
}
