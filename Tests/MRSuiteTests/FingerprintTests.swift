import Foundation
import MRCore
import MRPhysics
import MRSuite
import Testing
import _MRTestSupport

/// Definitions cannot drift silently: the behaviour of every registered environment and benchmark
/// is what `Assets/MANIFEST.json` records, and that record is part of every benchmark digest.
@Suite("Behaviour fingerprints")
struct FingerprintTests {
    static let manifest: AssetManifest? = try? AssetManifest.load(assets: AssetLocator.root())

    /// Fails when an environment's dynamics, reward, observation, success or status change without
    /// a new version id or a deliberate `mrbench tasksets manifest`.
    @Test(arguments: Registry.environments.map(\.id))
    func environmentBehavesAsRecorded(id: String) throws {
        let recorded = try #require(Self.manifest).environmentFingerprints
        let now = try BehaviourFingerprint.of(try Registry.environment(id))
        let problems = try #require(Self.manifest).fingerprintProblems(environments: [id: now], benchmarks: [:])
            .filter { !$0.contains("recorded in MANIFEST.json but not registered") }
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        #expect(recorded[id] == now)
    }

    /// The same for each benchmark's environment as the benchmark builds it (hidden goals, padding).
    @Test(arguments: Registry.benchmarks.map(\.id))
    func benchmarkBehavesAsRecorded(id: String) throws {
        let now = try BehaviourFingerprint.of(try Registry.benchmark(id))
        let problems = try #require(Self.manifest).fingerprintProblems(environments: [:], benchmarks: [id: now])
            .filter { !$0.contains("recorded in MANIFEST.json but not registered") }
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    /// Exactly the registered ids have fingerprints.
    @Test func everyRegisteredIdHasAFingerprint() throws {
        let m = try #require(Self.manifest)
        #expect(Set(m.environmentFingerprints.keys) == Set(Registry.environments.map(\.id)))
        #expect(Set(m.benchmarkFingerprints.keys) == Set(Registry.benchmarks.map(\.id)))
    }

    /// The fingerprint is a function of behaviour: the same for two instances, different when a
    /// reward, an observation or the dynamics change.
    @Test func fingerprintSeesBehaviour() throws {
        let a = try BehaviourFingerprint.of(TimeLimit(FakeEnvironment()))
        #expect(a == (try BehaviourFingerprint.of(TimeLimit(FakeEnvironment()))))
        #expect(a != (try BehaviourFingerprint.of(TimeLimit(FakeEnvironment(task: .init(x: 1.001))))), "reward")
        #expect(a != (try BehaviourFingerprint.of(TimeLimit(FakeEnvironment(horizon: 19)))), "status")
        #expect(a != (try BehaviourFingerprint.of(TimeLimit(FakeEnvironment(flaw: .nanObservation)))), "observation")
        #expect(a != (try BehaviourFingerprint.of(TimeLimit(FakeEnvironment(id: "fake-v2")))), "id")
    }

    /// The digest covers the recorded fingerprints: another record gives another digest.
    @Test func digestFoldsInTheFingerprints() throws {
        let root = try AssetLocator.root()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mrbench-fp-\(UInt32.random(in: 0...UInt32.max))").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.copyItem(atPath: root, toPath: dir)
        let b = try Registry.benchmark("point-nav-v1")
        let before = try b.digest(assets: dir)
        #expect(before == (try b.digest()))
        var m = try AssetManifest.load(assets: dir)
        m.environmentFingerprints["point-nav-v1"] = String(repeating: "0", count: 64)
        try m.write(assets: dir)
        #expect(try b.digest(assets: dir) != before)
        m.environmentFingerprints["point-nav-v1"] = nil
        try m.write(assets: dir)
        #expect(throws: TaskSetError.noFingerprint("environment point-nav-v1")) { try b.digest(assets: dir) }
    }
}
