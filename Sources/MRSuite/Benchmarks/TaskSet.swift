import Foundation
import MRCore
import MRPhysics

/// One frozen task of a benchmark: the environment that runs it, the stratum it is scored under,
/// and its typed parameters as JSON (decoded by the environment's spec).
///
/// `stratum` groups entries for the statistics: in ML10 it is the Sawyer task family ("reach") and
/// each entry one of its goals; in the locomotion families it is the family ("half-cheetah-vel")
/// and each entry one target. The task-set files call it `task`.
public struct TaskSetEntry: Codable, Hashable, Sendable {
    public var stratum: String
    public var env: String
    public var params: JSONValue
    public init(stratum: String, env: String, params: JSONValue) { self.stratum = stratum; self.env = env; self.params = params }

    /// An entry from a typed descriptor.
    public init<T: TaskDescriptor>(stratum: String, env: String, descriptor: T) throws {
        self.init(stratum: stratum, env: env, params: try JSONCoding.value(of: descriptor))
    }

    enum CodingKeys: String, CodingKey { case stratum = "task", env, params }
}

/// A benchmark's frozen train and test tasks, as stored in `Assets/tasksets/<benchmark>.json`.
public struct TaskSet: Codable, Hashable, Sendable {
    /// Version of this file format.
    public var format = 1
    public var benchmark: String
    /// The seed the generator was run with, and the command that regenerates the file.
    public var seed: UInt64
    public var command: String
    public var train: [TaskSetEntry]
    public var test: [TaskSetEntry]

    public init(benchmark: String, seed: UInt64, train: [TaskSetEntry], test: [TaskSetEntry]) {
        self.benchmark = benchmark; self.seed = seed
        self.command = "mrbench tasksets generate \(benchmark) --seed \(seed)"
        self.train = train; self.test = test
    }

    /// The entries of a split.
    public func entries(_ split: Split) -> [TaskSetEntry] { split == .train ? train : test }
}

public enum Split: String, Codable, Hashable, Sendable, CaseIterable { case train, test }

/// Rounds a generated number to 6 decimals, so task-set files stay short and exactly re-readable.
public func taskSetRounded(_ x: Double) -> Double { (x * 1e6).rounded() / 1e6 }

/// `Assets/MANIFEST.json`: the SHA-256 of every model and task set, checked before a model or task
/// set is used, so that numbers are never produced from data that drifted; and the behaviour
/// fingerprint (`BehaviourFingerprint`) of every registered environment and benchmark, folded into
/// the benchmark digests, so that a change of code that changes behaviour cannot go unnoticed.
public struct AssetManifest: Codable, Hashable, Sendable {
    public var format = 2
    /// Path relative to the assets directory → lowercase hex SHA-256.
    public var files: [String: String]
    /// Environment id → behaviour fingerprint.
    public var environmentFingerprints: [String: String]
    /// Benchmark id → behaviour fingerprint (its first test entry, as the benchmark builds it).
    public var benchmarkFingerprints: [String: String]

    public static let directories = ["models", "tasksets"]

    public init(files: [String: String], environmentFingerprints: [String: String] = [:], benchmarkFingerprints: [String: String] = [:]) {
        self.files = files; self.environmentFingerprints = environmentFingerprints; self.benchmarkFingerprints = benchmarkFingerprints
    }

    enum CodingKeys: String, CodingKey { case format, files, environmentFingerprints, benchmarkFingerprints }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        format = try c.decode(Int.self, forKey: .format)
        files = try c.decode([String: String].self, forKey: .files)
        environmentFingerprints = try c.decodeIfPresent([String: String].self, forKey: .environmentFingerprints) ?? [:]
        benchmarkFingerprints = try c.decodeIfPresent([String: String].self, forKey: .benchmarkFingerprints) ?? [:]
    }

    /// The recorded fingerprint of an environment.
    /// - Throws: `TaskSetError.noFingerprint` if none is recorded.
    public func fingerprint(environment id: String) throws -> String {
        guard let f = environmentFingerprints[id] else { throw TaskSetError.noFingerprint("environment \(id)") }
        return f
    }

    /// The recorded fingerprint of a benchmark.
    public func fingerprint(benchmark id: String) throws -> String {
        guard let f = benchmarkFingerprints[id] else { throw TaskSetError.noFingerprint("benchmark \(id)") }
        return f
    }

    /// Where the recorded fingerprints differ from `computed` (changed, missing, or of ids no longer registered).
    public func fingerprintProblems(environments: [String: String], benchmarks: [String: String]) -> [String] {
        var out: [String] = []
        for (kind, recorded, now) in [("environment", environmentFingerprints, environments), ("benchmark", benchmarkFingerprints, benchmarks)] {
            for (id, f) in now.sorted(by: { $0.key < $1.key }) {
                guard let r = recorded[id] else { out.append("\(kind) \(id): no behaviour fingerprint in MANIFEST.json (run `mrbench tasksets manifest`)"); continue }
                if r != f {
                    out.append("\(kind) \(id): behaviour changed (fingerprint \(f.prefix(12))…, MANIFEST.json records \(r.prefix(12))…): a changed dynamics, reward, observation or task needs a new version id; if the change is meant for this version, record it with `mrbench tasksets manifest` (it changes the benchmark digests: regenerate their leaderboard entries)")
                }
            }
            for id in recorded.keys.sorted() where now[id] == nil { out.append("\(kind) \(id): fingerprint recorded in MANIFEST.json but not registered") }
        }
        return out
    }

    /// Reads `MANIFEST.json` of an assets directory.
    public static func load(assets root: String) throws -> AssetManifest {
        let path = root + "/MANIFEST.json"
        guard let d = FileManager.default.contents(atPath: path) else { throw TaskSetError.missingManifest(path) }
        do { return try JSONDecoder().decode(AssetManifest.self, from: d) } catch { throw TaskSetError.malformed(path, "\(error)") }
    }

    /// The checksums of every file under models/ and tasksets/ as they are now.
    public static func compute(assets root: String) throws -> AssetManifest {
        var files: [String: String] = [:]
        for dir in directories {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: root + "/" + dir)) ?? []
            for n in names.sorted() where n.hasSuffix(".xml") || n.hasSuffix(".json") {
                let rel = dir + "/" + n
                files[rel] = try checksum(root + "/" + rel)
            }
        }
        return AssetManifest(files: files)
    }

    /// The manifest of `root` with its file checksums recomputed and its fingerprints kept.
    public static func withCurrentFiles(assets root: String) throws -> AssetManifest {
        var m = (try? load(assets: root)) ?? AssetManifest(files: [:])
        m.format = 2
        m.files = try compute(assets: root).files
        return m
    }

    /// SHA-256 of a file.
    public static func checksum(_ path: String) throws -> String {
        guard let d = FileManager.default.contents(atPath: path) else { throw TaskSetError.missingFile(path) }
        return SHA256.hex(d)
    }

    /// Writes the manifest (pretty, sorted, newline-terminated).
    public func write(assets root: String) throws {
        var d = try JSONCoding.data(self, pretty: true)
        d.append(0x0a)
        try d.write(to: URL(fileURLWithPath: root + "/MANIFEST.json"))
    }

    /// Files whose checksum differs from the manifest, and files listed but absent or present but unlisted.
    public func problems(assets root: String) throws -> [String] {
        let now = try AssetManifest.compute(assets: root)
        var out: [String] = []
        for (f, sum) in files.sorted(by: { $0.key < $1.key }) {
            guard let cur = now.files[f] else { out.append("\(f): listed in MANIFEST.json but missing"); continue }
            if cur != sum { out.append("\(f): checksum \(cur.prefix(12))… differs from MANIFEST.json's \(sum.prefix(12))…") }
        }
        for f in now.files.keys.sorted() where files[f] == nil { out.append("\(f): not listed in MANIFEST.json") }
        return out
    }

    /// Verifies one file against the manifest.
    public func verify(_ relative: String, assets root: String) throws {
        guard let want = files[relative] else { throw TaskSetError.unlisted(relative) }
        let got = try AssetManifest.checksum(root + "/" + relative)
        guard got == want else { throw TaskSetError.checksumMismatch(relative, expected: want, actual: got) }
    }
}

public enum TaskSetError: Error, Equatable, CustomStringConvertible {
    case missingManifest(String)
    case missingFile(String)
    case malformed(String, String)
    case unlisted(String)
    case checksumMismatch(String, expected: String, actual: String)
    case wrongBenchmark(String, expected: String)
    case noFingerprint(String)

    public var description: String {
        switch self {
        case let .missingManifest(p): return "\(p) not found: run `mrbench tasksets manifest` to create it"
        case let .missingFile(p): return "\(p) not found"
        case let .malformed(p, why): return "\(p) is malformed: \(why)"
        case let .unlisted(p): return "\(p) is not listed in MANIFEST.json"
        case let .checksumMismatch(p, e, a):
            return "\(p) has SHA-256 \(a) but MANIFEST.json says \(e): the file changed; regenerate it with its documented command or restore it"
        case let .wrongBenchmark(p, e): return "\(p) holds the task set of another benchmark (expected \(e))"
        case let .noFingerprint(what): return "MANIFEST.json records no behaviour fingerprint for \(what): run `mrbench tasksets manifest`"
        }
    }
}

/// Loads model files of the assets directory, each verified against the manifest first.
public enum AssetModels {
    /// The model `relative` (e.g. `models/ant.xml`) of the assets directory, after checking it and
    /// every file it includes against `MANIFEST.json`: a model edited in place is refused with a
    /// message naming it, never used silently.
    public static func load(_ relative: String, assets: String?, planar: PlanarScheme = .constraintRows,
                            explicitDamping: Set<String> = []) throws -> Model {
        let root = try AssetLocator.root(explicit: assets)
        let manifest = try AssetManifest.load(assets: root)
        return try MJCFLoader.load(path: root + "/" + relative, planar: planar, explicitDamping: explicitDamping, checkFile: { path in
            let rel = path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
            try manifest.verify(rel, assets: root)
        })
    }
}

/// Reads frozen task sets, verified against the manifest.
public enum TaskSetStore {
    /// The relative path of a benchmark's task set.
    public static func relativePath(_ benchmark: String) -> String { "tasksets/\(benchmark).json" }

    /// The verified task set of a benchmark.
    public static func load(_ benchmark: String, assets: String? = nil) throws -> TaskSet {
        let root = try AssetLocator.root(explicit: assets)
        let rel = relativePath(benchmark)
        let manifest = try AssetManifest.load(assets: root)
        try manifest.verify(rel, assets: root)
        let path = root + "/" + rel
        guard let d = FileManager.default.contents(atPath: path) else { throw TaskSetError.missingFile(path) }
        let set: TaskSet
        do { set = try JSONDecoder().decode(TaskSet.self, from: d) } catch { throw TaskSetError.malformed(path, "\(error)") }
        guard set.benchmark == benchmark else { throw TaskSetError.wrongBenchmark(path, expected: benchmark) }
        return set
    }

    /// The canonical file bytes of a task set (pretty, sorted keys, trailing newline).
    public static func fileData(_ set: TaskSet) throws -> Data {
        var d = try JSONCoding.data(set, pretty: true)
        d.append(0x0a)
        return d
    }
}
