import MRCore
import MRSuite

/// A deterministic in-memory environment (no physics): a point on a line pushed by the action,
/// rewarded for approaching its task's target. For testing wrappers, the checker and runners.
///
/// `flaw` plants one defect so tests can show the conformance checker catches it.
public final class FakeEnvironment: Environment {
    public struct Target: TaskDescriptor {
        public static let kind = "fake-target"
        public var x: Double
        public init(x: Double) { self.x = x }
    }
    public enum Flaw: Sendable { case none, nondeterministicReset, nanObservation, acceptsWrongLength, wrongDeclaredSize }

    public let id: String
    public let observationSpace = BoxSpace(dimension: 2, bound: 100)
    public let observationLayout = ObservationLayout([("position", 1), ("velocity", 1)])
    public let actionSpace = BoxSpace.unit(1)
    public let horizon: Int
    public let controlTimestep = 0.1
    public private(set) var task: Target
    let flaw: Flaw
    private var x = 0.0, v = 0.0, resets: UInt64 = 0, steps = 0

    public init(id: String = "fake-v1", horizon: Int = 20, task: Target = Target(x: 1), flaw: Flaw = .none) {
        self.id = id; self.horizon = horizon; self.task = task; self.flaw = flaw
    }

    public func setTask(_ t: Target) throws {
        guard t.x.isFinite else { throw EnvironmentError.invalidTask("target must be finite") }
        task = t
    }

    public func reset(seed: UInt64) -> [Float] {
        resets += 1
        var g = SeededGenerator(seed: flaw == .nondeterministicReset ? seed &+ resets : seed)
        x = g.uniform(-0.5, 0.5); v = 0; steps = 0
        return obs()
    }

    func obs() -> [Float] { [Float(x), flaw == .nanObservation && steps > 3 ? .nan : Float(v)] }

    public func step(_ action: [Float]) throws -> StepResult {
        let a: [Float]
        if flaw == .acceptsWrongLength { a = [action.first.map { $0.isFinite ? max(-1, min(1, $0)) : 0 } ?? 0] } else {
            a = try actionSpace.validatedAndClipped(action)
        }
        v = 0.9 * v + 0.1 * Double(a[0]); x += v * controlTimestep; steps += 1
        let d = abs(x - task.x)
        return StepResult(observation: obs(), reward: -d, status: .running, info: StepInfo(success: d < 0.05, terms: [RewardTerm("distance", -d)]))
    }

    struct State { let x: Double, v: Double, steps: Int }
    public func snapshot() -> EnvironmentSnapshot { EnvironmentSnapshot(State(x: x, v: v, steps: steps)) }
    public func restore(_ s: EnvironmentSnapshot) throws {
        guard let st = s.payload as? State else { throw EnvironmentError.foreignSnapshot }
        x = st.x; v = st.v; steps = st.steps
    }

    /// A registry entry for this fake with the given flaw.
    public static func spec(flaw: Flaw = .none) -> EnvironmentSpec {
        EnvironmentSpec(id: "fake-v1", observationSize: flaw == .wrongDeclaredSize ? 3 : 2, actionSize: 1, horizon: 20, controlTimestep: 0.1,
                        tags: ["test"], factory: { _ in FakeEnvironment(flaw: flaw) })
    }
}
