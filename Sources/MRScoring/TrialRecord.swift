import Foundation
import MRCore

/// One episode's figures, computed by the harness from the environment. The return is kept to
/// 6 decimals (the entry's rounding), so journals, shard files and direct runs aggregate the same numbers.
public struct EpisodeRecord: Sendable, Hashable {
    public var phase: EpisodePhase
    public var totalReward: Double
    public var success: Bool
    public var length: Int
    public init(phase: EpisodePhase, totalReward: Double, success: Bool, length: Int) {
        self.phase = phase; self.totalReward = totalReward; self.success = success; self.length = length
    }
}

/// Everything recorded about a completed trial.
public struct TrialRecord: Sendable, Hashable {
    public var index: Int
    public var seedIndex: Int
    public var entry: Int
    public var task: String
    /// Adaptation episodes, then evaluation episodes.
    public var episodes: [EpisodeRecord]
    /// Actions that were out of range and clipped (only with clip-actions).
    public var clippedActions: Int
    public init(index: Int, seedIndex: Int, entry: Int, task: String, episodes: [EpisodeRecord], clippedActions: Int) {
        self.index = index; self.seedIndex = seedIndex; self.entry = entry; self.task = task
        self.episodes = episodes; self.clippedActions = clippedActions
    }

    public var steps: Int { episodes.reduce(0) { $0 + $1.length } }
    public var evaluationEpisodes: [EpisodeRecord] { episodes.filter { $0.phase == .evaluation } }

    /// The trial's score: the fraction of successful evaluation episodes, or their mean return.
    public func score(_ metric: EvaluationProtocol.Metric) -> Double {
        let ev = evaluationEpisodes
        switch metric {
        case .success: return Double(ev.filter(\.success).count) / Double(ev.count)
        case .return: return ev.reduce(0) { $0 + $1.totalReward } / Double(ev.count)
        }
    }

    /// Compact JSON with exact numbers (journals and shard files).
    public var json: JSONValue {
        .object([
            "index": .number(Double(index)), "seed": .number(Double(seedIndex)), "entry": .number(Double(entry)),
            "task": .string(task), "clipped": .number(Double(clippedActions)),
            "episodes": .array(episodes.map {
                .array([.string($0.phase.rawValue), .number($0.totalReward), .bool($0.success), .number(Double($0.length))])
            }),
        ])
    }

    public init(json v: JSONValue) throws {
        guard let index = v["index"]?.intValue, let seed = v["seed"]?.intValue, let entry = v["entry"]?.intValue,
              let task = v["task"]?.stringValue, let clipped = v["clipped"]?.intValue, let eps = v["episodes"]?.arrayValue
        else { throw EvaluationError.invalid("malformed trial record") }
        var episodes: [EpisodeRecord] = []
        for e in eps {
            guard let a = e.arrayValue, a.count == 4, let p = a[0].stringValue.flatMap(EpisodePhase.init(rawValue:)),
                  let r = a[1].doubleValue, let s = a[2].boolValue, let l = a[3].intValue
            else { throw EvaluationError.invalid("malformed episode in trial record \(index)") }
            episodes.append(EpisodeRecord(phase: p, totalReward: r, success: s, length: l))
        }
        self.init(index: index, seedIndex: seed, entry: entry, task: task, episodes: episodes, clippedActions: clipped)
    }
}
