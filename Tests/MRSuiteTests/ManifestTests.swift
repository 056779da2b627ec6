import Foundation
import MRCore
import MRPhysics
import MRSuite
import Testing

@Suite("Assets manifest and task sets")
struct ManifestTests {
    /// Every model and task set in Assets/ has the checksum MANIFEST.json records, and nothing is unlisted.
    @Test func manifestMatchesTheFiles() throws {
        let root = try AssetLocator.root()
        let m = try AssetManifest.load(assets: root)
        #expect(!m.files.isEmpty)
        #expect(try m.problems(assets: root) == [])
    }

    /// Every registered benchmark's frozen task set loads, verifies, and regenerates byte-identically
    /// from its documented seed.
    @Test func taskSetsAreFrozenAndReproducible() throws {
        for b in Registry.benchmarks {
            let stored = try b.taskSet()
            #expect(stored.seed == b.defaultSeed, "\(b.id)")
            let again = try TaskSetStore.fileData(b.generate(b.defaultSeed))
            let path = try AssetLocator.root() + "/" + TaskSetStore.relativePath(b.id)
            #expect(FileManager.default.contents(atPath: path) == again, "\(b.id): regenerating from seed \(b.defaultSeed) changed the file")
            #expect(!stored.train.isEmpty && !stored.test.isEmpty, "\(b.id)")
        }
    }

    /// A changed byte is caught with a message naming the file.
    @Test func tamperedFileIsRejected() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mrbench-manifest-\(UInt32.random(in: 0...UInt32.max))").path
        try FileManager.default.createDirectory(atPath: dir + "/tasksets", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let set = TaskSet(benchmark: "demo-v1", seed: 7, train: [TaskSetEntry(stratum: "t", env: "pendulum-v1", params: .object([:]))], test: [])
        try TaskSetStore.fileData(set).write(to: URL(fileURLWithPath: dir + "/tasksets/demo-v1.json"))
        try AssetManifest.compute(assets: dir).write(assets: dir)
        #expect(try TaskSetStore.load("demo-v1", assets: dir) == set)
        var changed = set; changed.seed = 8
        try TaskSetStore.fileData(changed).write(to: URL(fileURLWithPath: dir + "/tasksets/demo-v1.json"))
        #expect(throws: TaskSetError.self) { try TaskSetStore.load("demo-v1", assets: dir) }
        #expect(try AssetManifest.load(assets: dir).problems(assets: dir).count == 1)
    }

    /// A model edited in place is refused when an environment loads it (not only task sets are checked),
    /// and so is a model whose included file changed.
    @Test func editedModelIsRefusedWhenLoaded() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mrbench-models-\(UInt32.random(in: 0...UInt32.max))").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.copyItem(atPath: try AssetLocator.root(), toPath: dir)
        _ = try PendulumEnvironment(assets: dir)
        let pendulum = dir + "/models/pendulum.xml"
        try (String(contentsOfFile: pendulum, encoding: .utf8) + "<!-- edited -->\n").write(toFile: pendulum, atomically: true, encoding: .utf8)
        do {
            _ = try PendulumEnvironment(assets: dir)
            Issue.record("an edited model was used")
        } catch let e as TaskSetError {
            guard case let .checksumMismatch(file, _, _) = e else { Issue.record("\(e)"); return }
            #expect(file == "models/pendulum.xml")
        }
        // An included file: the Sawyer rig shared by the ML10 scenes.
        _ = try Registry.environment("ml10/reach-v2").make(assets: dir)
        let rig = dir + "/models/sawyer_rig.xml"
        try (String(contentsOfFile: rig, encoding: .utf8) + "<!-- edited -->\n").write(toFile: rig, atomically: true, encoding: .utf8)
        #expect(throws: TaskSetError.checksumMismatch("models/sawyer_rig.xml", expected: try AssetManifest.load(assets: dir).files["models/sawyer_rig.xml"]!,
                                                      actual: try AssetManifest.checksum(rig))) {
            _ = try Registry.environment("ml10/reach-v2").make(assets: dir)
        }
    }
}
