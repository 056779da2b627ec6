import MRCore

/// The leaderboard entry as a typed value: `leaderboard/schema/entry-v1.schema.json` in Swift.
/// `LeaderboardEntry.make` builds one, `text` writes it (`JSONText.pretty`: sorted keys, reals to
/// 6 decimals), and `init(json:)` reads one of formats 1 to 3 back for `EntryCheck`, `merge` and
/// `verify`. Members a format does not have are optional; members the schema requires but allows
/// to be null (`agent.checkpointDigest`, `results.overall.optimalityGap`…) are written as `null`.
extension LeaderboardEntry {
    /// What is fixed before the run (everything `make` does not compute): the header of an entry.
    public struct Head: Codable, Hashable, Sendable {
        public var schema: SchemaTag
        public var benchmark: Benchmark
        public var agent: Agent
        public var protocolSettings: ProtocolSettings
        /// Without its counts (`make` adds them).
        public var provenance: Provenance

        enum CodingKeys: String, CodingKey { case schema, benchmark, agent, protocolSettings = "protocol", provenance }

        /// The members as JSON (the journal's identity is built from them).
        public func json() throws -> [String: JSONValue] { try JSONCoding.value(of: self).objectValue ?? [:] }

        /// The head with the provenance counts removed.
        var withoutCounts: Head {
            var h = self
            h.provenance.environmentSteps = nil; h.provenance.clippedActions = nil
            return h
        }
    }

    public struct SchemaTag: Codable, Hashable, Sendable {
        public var name: String
        /// The format: 1, 2 or 3 (`LeaderboardEntry.schemaVersion`).
        public var version: Int
    }

    public struct Benchmark: Codable, Hashable, Sendable {
        public var id: String
        public var version: String
        public var split: String
        public var digest: String
        public var metric: EvaluationProtocol.Metric
        public var hidesGoal: Bool
        /// Format 2 and later, hidden-goal runs only.
        public var goals: HiddenGoals?
    }

    public struct HiddenGoals: Codable, Hashable, Sendable {
        public var kind: String
        public var seedSHA256: String
    }

    public struct Agent: Codable, Hashable, Sendable {
        public var name: String
        public var version: String
        public var kind: String
        public var privileged: Bool
        @WrittenNull public var checkpointDigest: String?
        @WrittenNull public var trainingSteps: Int?
        /// Decimal (a `UInt64`).
        @WrittenNull public var trainingSeed: String?
        /// Format 2 and later, external agents only.
        public var sandbox: String?
    }

    public struct ProtocolSettings: Codable, Hashable, Sendable {
        public var adaptationEpisodes: Int
        public var evaluationEpisodes: Int
        public var horizon: Int
        public var goalsPerTask: [String: Int]
        /// The task of each test entry, in the split's order.
        public var entries: [String]
        public var seeds: Int
        /// Decimal (a `UInt64`).
        public var rootSeed: String
        public var seedRule: String
        public var clipActions: Bool
    }

    public struct Provenance: Codable, Hashable, Sendable {
        public var mrbench: String
        public var revision: String
        /// Nil in a `Head`; set by `make`.
        public var environmentSteps: Int?
        public var clippedActions: Int?
    }

    public struct Results: Codable, Hashable, Sendable {
        public var metric: EvaluationProtocol.Metric
        /// Nil (written `{}`) when no trial has completed.
        public var overall: Overall?
        public var tasks: [String: TaskResult]
        /// Each task's score per seed (nil: no trial of that seed completed).
        public var scores: [String: [Double?]]
        public var curve: Curve
        /// Format 3, complete entries only.
        public var trials: TrialRows?
        public var bootstrap: Bootstrap

        enum CodingKeys: String, CodingKey { case metric, overall, tasks, scores, curve, trials, bootstrap }

        public init(metric: EvaluationProtocol.Metric, overall: Overall?, tasks: [String: TaskResult], scores: [String: [Double?]],
                    curve: Curve, trials: TrialRows? = nil, bootstrap: Bootstrap) {
            self.metric = metric; self.overall = overall; self.tasks = tasks; self.scores = scores
            self.curve = curve; self.trials = trials; self.bootstrap = bootstrap
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            metric = try c.decode(EvaluationProtocol.Metric.self, forKey: .metric)
            let o = try c.nestedContainer(keyedBy: Overall.CodingKeys.self, forKey: .overall)
            overall = o.allKeys.isEmpty ? nil : try c.decode(Overall.self, forKey: .overall)
            tasks = try c.decode([String: TaskResult].self, forKey: .tasks)
            scores = try c.decode([String: [Double?]].self, forKey: .scores)
            curve = try c.decode(Curve.self, forKey: .curve)
            trials = try c.decodeIfPresent(TrialRows.self, forKey: .trials)
            bootstrap = try c.decode(Bootstrap.self, forKey: .bootstrap)
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(metric, forKey: .metric)
            if let overall { try c.encode(overall, forKey: .overall) } else { try c.encode([String: Double](), forKey: .overall) }
            try c.encode(tasks, forKey: .tasks)
            try c.encode(scores, forKey: .scores)
            try c.encode(curve, forKey: .curve)
            try c.encodeIfPresent(trials, forKey: .trials)
            try c.encode(bootstrap, forKey: .bootstrap)
        }
    }

    public struct Overall: Codable, Hashable, Sendable {
        public var mean: Double
        public var meanCI: [Double]
        public var iqm: Double
        public var iqmCI: [Double]
        /// Nil (written `null`) for the return metric.
        @WrittenNull public var optimalityGap: Double?
        @WrittenNull public var optimalityGapCI: [Double]?
        public var successRate: Double
        public var meanReturn: Double

        enum CodingKeys: String, CodingKey { case mean, meanCI, iqm, iqmCI, optimalityGap, optimalityGapCI, successRate, meanReturn }
    }

    public struct TaskResult: Codable, Hashable, Sendable {
        public var score: Double
        public var ci: [Double]
        public var successRate: Double
        public var meanReturn: Double
        public var trials: Int
        public var goals: Int
        public var curve: Curve
    }

    /// Per episode index (adaptation, then evaluation): the success fraction and the mean return.
    public struct Curve: Codable, Hashable, Sendable {
        /// The benchmark's curve only: the phase of each episode.
        public var phases: [EpisodePhase]?
        public var success: [Double]
        public var returns: [Double]

        enum CodingKeys: String, CodingKey { case phases, success, returns = "return" }
    }

    /// `results.trials`: the columns (`trialFields`) and one row per trial in index order.
    public struct TrialRows: Codable, Hashable, Sendable {
        public var fields: [String]
        /// Read leniently (a row that is not an array of numbers keeps its numbers, or none), so
        /// that `EntryCheck` names the row rather than refusing the whole entry.
        public var rows: [[Double]]

        init(fields: [String], rows: [[Double]]) { self.fields = fields; self.rows = rows }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            fields = try c.decode([String].self, forKey: .fields)
            rows = try c.decode([JSONValue].self, forKey: .rows).map { $0.arrayValue?.compactMap(\.doubleValue) ?? [] }
        }
    }

    public struct Bootstrap: Codable, Hashable, Sendable {
        public var method: String
        public var resamples: Int
        public var confidence: Double
        /// Decimal (a `UInt64`).
        public var seed: String
    }

    public struct ShardTag: Codable, Hashable, Sendable {
        public var index: Int
        public var count: Int
    }

    /// A whole entry: its head's members, then what the run computed.
    public struct Document: Codable, Hashable, Sendable {
        public var head: Head
        public var results: Results
        public var complete: Bool
        public var trialsCompleted: Int
        public var trialsTotal: Int
        /// The trial records of an incomplete (partial or shard) entry.
        public var trials: [TrialRecord]?
        public var shard: ShardTag?
        public var error: String?

        enum CodingKeys: String, CodingKey { case results, complete, trialsCompleted, trialsTotal, trials, shard, error }

        public init(head: Head, results: Results, complete: Bool, trialsCompleted: Int, trialsTotal: Int,
                    trials: [TrialRecord]? = nil, shard: ShardTag? = nil, error: String? = nil) {
            self.head = head; self.results = results; self.complete = complete; self.trialsCompleted = trialsCompleted
            self.trialsTotal = trialsTotal; self.trials = trials; self.shard = shard; self.error = error
        }

        public init(from decoder: any Decoder) throws {
            head = try Head(from: decoder)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            results = try c.decode(Results.self, forKey: .results)
            complete = try c.decode(Bool.self, forKey: .complete)
            trialsCompleted = try c.decode(Int.self, forKey: .trialsCompleted)
            trialsTotal = try c.decode(Int.self, forKey: .trialsTotal)
            trials = try c.decodeIfPresent([TrialRecord].self, forKey: .trials)
            shard = try c.decodeIfPresent(ShardTag.self, forKey: .shard)
            error = try c.decodeIfPresent(String.self, forKey: .error)
        }

        public func encode(to encoder: any Encoder) throws {
            try head.encode(to: encoder)
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(results, forKey: .results)
            try c.encode(complete, forKey: .complete)
            try c.encode(trialsCompleted, forKey: .trialsCompleted)
            try c.encode(trialsTotal, forKey: .trialsTotal)
            try c.encodeIfPresent(trials, forKey: .trials)
            try c.encodeIfPresent(shard, forKey: .shard)
            try c.encodeIfPresent(error, forKey: .error)
        }

        /// Reads an entry (already parsed, e.g. by `JSONText.parse`).
        public init(json: JSONValue) throws { self = try JSONCoding.decode(Document.self, from: json) }

        /// The entry as JSON (a non-finite figure, which no complete run gives, stays a number and is written `null`).
        public func json() throws -> JSONValue { try JSONCoding.value(of: self, keepingNonFinite: true) }

        /// The entry's text: what `evaluate` and `merge` write.
        public func text() throws -> String { JSONText.pretty(try json()) }
    }
}

/// A trial record in an entry (`trials` of a partial or shard entry) has the form of a journal line.
extension TrialRecord: Codable {
    public init(from decoder: any Decoder) throws { try self.init(json: JSONValue(from: decoder)) }
    public func encode(to encoder: any Encoder) throws { try json.encode(to: encoder) }
}

/// A member the schema requires but allows to be null: written `null` when nil (Codable's
/// synthesized encoding would leave an optional member out), read as nil when null or absent.
@propertyWrapper
public struct WrittenNull<Value: Codable & Hashable & Sendable>: Codable, Hashable, Sendable {
    public var wrappedValue: Value?
    public init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        wrappedValue = c.decodeNil() ? nil : try c.decode(Value.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        if let wrappedValue { try c.encode(wrappedValue) } else { try c.encodeNil() }
    }
}

extension KeyedDecodingContainer {
    /// An absent `WrittenNull` member reads as nil (synthesized decoding would require the key).
    func decode<V>(_ type: WrittenNull<V>.Type, forKey key: Key) throws -> WrittenNull<V> {
        try decodeIfPresent(type, forKey: key) ?? WrittenNull(wrappedValue: nil)
    }
}
