import Foundation
import MRCore
import Testing
@testable import MRPhysics
import _MRTestSupport

/// `JointDynamics.explicitDamping` on sliders: the damping force per substep in place of a motor row.
@Suite("Explicit slider damping")
struct ExplicitDampingTests {
    /// A box on a frictionless slider (no gravity) pushed to 1 m/s, damped explicitly or implicitly.
    static func slide(explicit: Bool, damping: Double, mass: Double, h: Double = 0.002, substeps: Int = 10) throws -> [Double] {
        let sim = try Simulation(parameters: SimulationParameters(timestep: h, gravity: .zero))
        let b = try sim.addBody(name: "b", pose: .identity, mass: MassProperties(mass: mass, inertia: (0.01, 0.01, 0.01, 0, 0, 0)))
        var d = JointDynamics(damping: damping)
        d.explicitDamping = explicit
        let j = try sim.addSlider(name: "s", body: b, parent: nil, axis: Vec3(1, 0, 0), dynamics: d)
        try sim.setBodyState(b, pose: .identity, linearVelocity: Vec3(1, 0, 0))
        var v: [Double] = []
        for _ in 0..<substeps { try sim.step(); v.append(sim.jointVelocity(j)) }
        return v
    }

    @Test func decaysByTheExponentialOfKdHOverMassEverySubstep() throws {
        // Fetch's fingers: kd 40, 0.1 kg, h 0.002: kd·h/m = 0.8, where explicit Euler would keep only 0.2.
        let v = try Self.slide(explicit: true, damping: 40, mass: 0.1)
        let factor = exp(-40 * 0.002 / 0.1)
        for (k, x) in v.enumerated() { #expect(abs(x - pow(factor, Double(k + 1))) < 1e-9, "substep \(k + 1): \(x)") }
        // The implicit row decays by 1/(1 + kd·h/m); both approach e^(−kd·t/m) as h → 0.
        let implicit = try Self.slide(explicit: false, damping: 40, mass: 0.1)
        #expect(abs(implicit[0] - 1 / 1.8) < 1e-6)
        let fine = try Self.slide(explicit: true, damping: 40, mass: 0.1, h: 0.0002, substeps: 100)
        #expect(abs(fine.last! - exp(-40 * 0.02 / 0.1)) < 1e-9)
    }

    @Test func hingesAndUnknownJointsAreRefused() throws {
        let sim = try Simulation(parameters: SimulationParameters(timestep: 0.01, gravity: .zero))
        let b = try sim.addBody(name: "b", pose: .identity, mass: MassProperties(mass: 1, inertia: (0.01, 0.01, 0.01, 0, 0, 0)))
        var d = JointDynamics(damping: 1)
        d.explicitDamping = true
        #expect(throws: PhysicsError.self) { try sim.addHinge(name: "h", body: b, parent: nil, anchor: .zero, axis: Vec3(0, 0, 1), dynamics: d) }
        #expect(throws: ModelError.self) {
            _ = try MJCFLoader.load(path: TestSupport.packageRoot + "/Assets/models/pendulum.xml", explicitDamping: ["nope"])
        }
        #expect(throws: ModelError.self) {
            _ = try MJCFLoader.load(path: TestSupport.packageRoot + "/Assets/models/pendulum.xml", explicitDamping: ["hinge"])
        }
    }
}
