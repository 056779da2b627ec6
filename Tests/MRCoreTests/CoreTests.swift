import MRCore
import Testing

@Suite("MRCore vocabulary")
struct CoreTests {
    @Test func seededGeneratorIsReproducibleAndDerivationIgnoresDraws() {
        var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42)
        let xs = (0..<100).map { _ in a.next() }, ys = (0..<100).map { _ in b.next() }
        #expect(xs == ys)
        var c = SeededGenerator(seed: 43)
        #expect(c.next() != xs[0])
        // A child depends only on the parent's seed and the label.
        let fresh = SeededGenerator(seed: 42).derived("env")
        #expect(a.derived("env") == fresh)
        #expect(SeededGenerator(seed: 42).derived("env") != SeededGenerator(seed: 42).derived("agent"))
    }

    @Test func uniformAndNormalDrawsHaveTheirMoments() {
        var g = SeededGenerator(seed: 1)
        let u = (0..<100_000).map { _ in g.uniform(-2, 3) }
        #expect(u.allSatisfy { $0 >= -2 && $0 < 3 })
        #expect(abs(u.reduce(0, +) / 1e5 - 0.5) < 0.02)
        let n = (0..<100_000).map { _ in g.normal() }
        let m = n.reduce(0, +) / 1e5
        let v = n.map { ($0 - m) * ($0 - m) }.reduce(0, +) / 1e5
        #expect(abs(m) < 0.02 && abs(v - 1) < 0.02)
    }

    @Test func boxSpaceValidatesClipsAndSamples() throws {
        let s = BoxSpace.unit(3)
        #expect(try s.validatedAndClipped([2, -0.5, -7]) == [1, -0.5, -1])
        #expect(throws: ActionError.wrongLength(expected: 3, got: 2)) { try s.validatedAndClipped([0, 0]) }
        #expect(throws: ActionError.self) { try s.validatedAndClipped([0, .nan, 0]) }
        #expect(throws: ActionError.self) { try s.validatedAndClipped([0, 0, -.infinity]) }
        var g = SeededGenerator(seed: 3)
        for _ in 0..<1000 { #expect(s.contains(s.sample(using: &g))) }
        #expect(!s.contains([0, 0, 1.5]))
    }

    @Test func observationLayoutNamesRanges() {
        let l = ObservationLayout([("hand", 3), ("gripper", 1), ("goal", 3)])
        #expect(l.count == 7)
        #expect(l.range(of: "gripper") == 3..<4)
        #expect(Array(l.slice([0, 1, 2, 3, 4, 5, 6], "goal")) == [4, 5, 6])
        #expect(l.range(of: "nope") == nil)
    }

    @Test func quaternionRotationAndEuler() {
        let q = Quat(axis: Vec3(0, 0, 1), angle: .pi / 2)
        let r = q.rotate(Vec3(1, 0, 0))
        #expect((r - Vec3(0, 1, 0)).norm < 1e-12)
        // eulerAngles is roll-pitch-yaw: R = Rz(yaw) Ry(pitch) Rx(roll).
        let rpy = Quat(axis: Vec3(0, 0, 1), angle: 0.3) * Quat(axis: Vec3(0, 1, 0), angle: -0.2) * Quat(axis: Vec3(1, 0, 0), angle: 0.1)
        #expect((rpy.eulerAngles - Vec3(0.1, -0.2, 0.3)).norm < 1e-12)
        // MJCF's default euler is intrinsic x-y-z: R = Rx Ry Rz.
        let intrinsic = Quat(axis: Vec3(1, 0, 0), angle: 0.1) * Quat(axis: Vec3(0, 1, 0), angle: -0.2) * Quat(axis: Vec3(0, 0, 1), angle: 0.3)
        let e = Quat(eulerXYZ: Vec3(0.1, -0.2, 0.3))
        #expect(abs(e.w - intrinsic.w) + abs(e.x - intrinsic.x) + abs(e.y - intrinsic.y) + abs(e.z - intrinsic.z) < 1e-12)
        let t = Transform(position: Vec3(1, 2, 3), rotation: q)
        #expect((t.inverse.composed(with: t).position).norm < 1e-12)
        #expect((Quat.between(Vec3(0, 0, 1), Vec3(1, 0, 0)).rotate(Vec3(0, 0, 1)) - Vec3(1, 0, 0)).norm < 1e-12)
    }

    @Test func episodeSummaries() {
        let t = { (r: Double, s: Bool) in Transition(observation: [0], action: [0], reward: r, nextObservation: [0], status: .running, success: s) }
        let e = Episode(transitions: [t(1, false), t(2, true), t(-0.5, false)])
        #expect(e.totalReward == 2.5 && e.succeeded && e.length == 3)
        #expect(EpisodeStatus.truncated(.timeLimit).name == "truncated:timeLimit")
        #expect(!EpisodeStatus.running.isDone && EpisodeStatus.terminated.isDone)
    }
}
