import Foundation
import MRCore
import Testing
@testable import MRPhysics
import _MRTestSupport

/// `PlanarScheme.projection` (ball joints + motor rows, bodies projected onto their plane) against
/// `.constraintRows` (full hinges, planar constraint on the root) on the real HalfCheetah model.
@Suite("Planar projection")
struct PlanarProjectionTests {
    static func cheetah(_ scheme: PlanarScheme) throws -> Model {
        try MJCFLoader.load(path: TestSupport.packageRoot + "/Assets/models/half_cheetah.xml", planar: scheme)
    }

    /// Open-loop sinusoids on all six motors, `steps` substeps; returns every joint's position and velocity.
    static func drive(_ model: Model, substeps: Int) throws -> [Double] {
        let sim = model.simulation
        for k in 0..<(substeps / 5) {
            let t = Double(k) * 0.05
            var controls = [Double](repeating: 0, count: 6)
            for i in 0..<6 { controls[i] = sin(4 * Double.pi * t + Double(i)) }
            try sim.setControls(controls)
            try sim.step(substeps: 5)
        }
        return model.joints.flatMap { [sim.jointPosition($0.id), sim.jointVelocity($0.id)] }
    }

    @Test func projectionFollowsTheConstraintRows() throws {
        let rows = try Self.cheetah(.constraintRows), projected = try Self.cheetah(.projection)
        #expect(rows.joints.map(\.name) == projected.joints.map(\.name))
        let a = try Self.drive(rows, substeps: 1_000), b = try Self.drive(projected, substeps: 1_000)
        let worst = zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
        print("planar projection vs constraint rows, 10 s of sinusoids: largest joint position/velocity difference \(worst)")
        #expect(worst < 1e-6)
        // It moved (a gait, not a rest state), and every body stays in its plane.
        #expect(abs(rows.simulation.jointPosition(try #require(rows.joint("rootx")))) > 0.5)
        for i in 0..<projected.simulation.bodyCount {
            #expect(abs(projected.simulation.centerOfMass(BodyID(index: i)).y) < 1e-12)
            let w = projected.simulation.angularVelocity(BodyID(index: i))
            #expect(w.x == 0 && w.z == 0)
        }
    }

    @Test func projectedHingesReportAnglesRatesAndFramesLikeHinges() throws {
        let rows = try Self.cheetah(.constraintRows), projected = try Self.cheetah(.projection)
        _ = try Self.drive(rows, substeps: 300)
        _ = try Self.drive(projected, substeps: 300)
        for name in ["bthigh", "bshin", "bfoot", "fthigh", "fshin", "ffoot"] {
            let r = try #require(rows.joint(name)), p = try #require(projected.joint(name))
            let fr = try #require(rows.simulation.hingeFrame(r)), fp = try #require(projected.simulation.hingeFrame(p))
            #expect((fr.anchor - fp.anchor).norm < 1e-6 && (fr.axis - fp.axis).norm < 1e-9, "\(name)")
            #expect(abs(rows.simulation.jointPosition(r) - projected.simulation.jointPosition(p)) < 1e-6, "\(name)")
        }
    }

    @Test func projectedSnapshotsReplayBitForBit() throws {
        let model = try Self.cheetah(.projection)
        _ = try Self.drive(model, substeps: 200)
        let s = model.simulation.snapshot()
        let first = try Self.drive(model, substeps: 300)
        try model.simulation.restore(s)
        let second = try Self.drive(model, substeps: 300)
        #expect(first == second)
    }

    /// A body added after `setPlanarProjection` keeps the plane through its own centre of mass,
    /// and joints and motors added after stepping take part in the next step (the step plan is rebuilt).
    @Test func bodiesAndMotorsAddedLaterJoinThePlanarWorld() throws {
        let sim = try Simulation(parameters: SimulationParameters(timestep: 0.01))
        let mass = MassProperties(mass: 1, inertia: (0.1, 0.1, 0.1, 0, 0, 0))
        let a = try sim.addBody(name: "a", pose: Transform(position: Vec3(0, 0.25, 1)), mass: mass)
        try sim.setPlanarProjection(normal: Vec3(0, 1, 0))
        let b = try sim.addBody(name: "b", pose: Transform(position: Vec3(0.5, 0.5, 1)), mass: mass)
        try sim.step(substeps: 10)
        #expect(sim.centerOfMass(a).y == 0.25 && sim.centerOfMass(b).y == 0.5)
        #expect(sim.centerOfMass(b).z < 1)
        // A pinned hinge and its motor added after stepping: full torque turns the body.
        let hinge = try sim.addPlanarHinge(name: "h", body: b, parent: nil, anchor: Vec3(0.5, 0.5, 1.2), axis: Vec3(0, 1, 0))
        _ = try sim.addMotor(name: "m", joint: hinge, gear: 10, controlRange: -1...1)
        try sim.setControls([1])
        try sim.step(substeps: 20)
        #expect(sim.jointVelocity(hinge) > 1)
        #expect(sim.centerOfMass(b).y == 0.5)
    }

    @Test func planarHingesNeedTheProjectionAndANormalAxis() throws {
        let sim = try Simulation(parameters: SimulationParameters(timestep: 0.01))
        let a = try sim.addBody(name: "a", pose: .identity, mass: MassProperties(mass: 1, inertia: (0.1, 0.1, 0.1, 0, 0, 0)))
        #expect(throws: PhysicsError.self) { try sim.addPlanarHinge(name: "h", body: a, parent: nil, anchor: .zero, axis: Vec3(0, 1, 0)) }
        try sim.setPlanarProjection(normal: Vec3(0, 1, 0))
        #expect(throws: PhysicsError.self) { try sim.addPlanarHinge(name: "h", body: a, parent: nil, anchor: .zero, axis: Vec3(1, 0, 0)) }
        _ = try sim.addPlanarHinge(name: "h", body: a, parent: nil, anchor: .zero, axis: Vec3(0, -1, 0))
    }
}
