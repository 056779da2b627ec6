import MRCore
import MRPhysics

#if canImport(Glibc)
import Glibc
#endif

/// `pendulum-v1`: swing a rod up and balance it (after Gymnasium's Pendulum-v1), on ODE from
/// `Assets/models/pendulum.xml`. mrbench's small test environment: it exercises the whole path
/// (model loader, simulation, registry, conformance, bench) in a few microseconds per step.
///
/// | action | meaning | scaling |
/// | --- | --- | --- |
/// | 0 | hinge torque | × 2 N·m |
///
/// | observation | meaning |
/// | --- | --- |
/// | 0 | cos θ (θ = 0 upright) |
/// | 1 | sin θ |
/// | 2 | θ̇ (rad/s) |
///
/// Reward: −(θ² + 0.1 θ̇² + 0.001 τ²) with θ wrapped to [−π, π] and τ the torque (N·m); terms
/// `angle`, `velocity`, `torque`. No success criterion. Horizon 200 control steps of 0.05 s
/// (0.01 s × 5 substeps). Reset: θ ~ U[−π, π), θ̇ ~ U[−1, 1) from the seed. Differences from
/// Gymnasium: the rod is a rigid body integrated by ODE, and θ̇ is not clipped to ±8.
public final class PendulumEnvironment: PhysicsEnvironment {
    public typealias Task = NoTask
    public static let identifier = "pendulum-v1"
    static let horizonSteps = 200
    static let controlDt = 0.05

    public static let spec = EnvironmentSpec(
        id: identifier, observationSize: 3, actionSize: 1, horizon: horizonSteps, controlTimestep: controlDt, tags: ["debug", "classic-control"],
        factory: { assets in try PendulumEnvironment(assets: assets) })

    public let id = PendulumEnvironment.identifier
    public let observationSpace = BoxSpace(low: [-1, -1, -.infinity], high: [1, 1, .infinity])
    public let observationLayout = ObservationLayout([("cos_angle", 1), ("sin_angle", 1), ("angular_velocity", 1)])
    public let actionSpace = BoxSpace.unit(1)
    public let horizon = PendulumEnvironment.horizonSteps
    public let controlTimestep = PendulumEnvironment.controlDt
    public let task = NoTask()
    public let substeps = 5

    public let simulation: Simulation
    private let model: Model
    private let pole: BodyID
    private let hinge: JointID

    public init(assets: String? = nil) throws {
        model = try AssetModels.load("models/pendulum.xml", assets: assets)
        simulation = model.simulation
        guard let p = model.body("pole"), let h = model.joint("hinge") else { throw EnvironmentError.invalidTask("pendulum.xml lacks pole or hinge") }
        pole = p; hinge = h
        _ = reset(seed: 0)
    }

    public func setTask(_ task: NoTask) throws {}

    public var maxBodySpeed: Double { simulation.maxBodySpeed }

    public func reset(seed: UInt64) -> [Float] {
        var g = SeededGenerator(seed: seed)
        let theta = g.uniform(-.pi, .pi), omega = g.uniform(-1, 1)
        // The hinge is at the body's origin, so turning the frame about it sets the angle directly.
        try? simulation.setBodyState(pole, pose: Transform(rotation: Quat(axis: Vec3(0, 1, 0), angle: theta)), angularVelocity: Vec3(0, omega, 0))
        try? simulation.setControls([0])
        return observation()
    }

    func observation() -> [Float] {
        let th = simulation.jointPosition(hinge)
        return [Float(cos(th)), Float(sin(th)), Float(simulation.jointVelocity(hinge))]
    }

    public func step(_ action: [Float]) throws -> StepResult {
        let a = try actionSpace.validatedAndClipped(action)
        let before = simulation.snapshot()
        let th = remainder(simulation.jointPosition(hinge), 2 * .pi), om = simulation.jointVelocity(hinge)
        let torque = 2 * Double(a[0])
        try simulation.setControls([Double(a[0])])
        do {
            try simulation.step(substeps: substeps)
        } catch {
            try? simulation.restore(before)
            return StepResult(observation: observation(), reward: 0, status: .truncated(.diverged))
        }
        let terms = [RewardTerm("angle", -th * th), RewardTerm("velocity", -0.1 * om * om), RewardTerm("torque", -0.001 * torque * torque)]
        return StepResult(observation: observation(), reward: terms.reduce(0) { $0 + $1.value }, status: .running, info: StepInfo(terms: terms))
    }

    public func snapshot() -> EnvironmentSnapshot { EnvironmentSnapshot(simulation.snapshot()) }

    public func restore(_ snapshot: EnvironmentSnapshot) throws {
        guard let s = snapshot.payload as? Simulation.State else { throw EnvironmentError.foreignSnapshot }
        try simulation.restore(s)
    }
}
