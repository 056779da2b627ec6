import Foundation
import MRCore
import Testing
@testable import MRPhysics

private let g = 9.81

private func world(dt: Double = 0.001, gravity: Vec3 = Vec3(0, 0, -g)) throws -> Simulation {
    try Simulation(parameters: SimulationParameters(timestep: dt, gravity: gravity))
}

@Suite("Simulation against closed forms")
struct ClosedFormTests {
    @Test func freeFallMatchesHalfGTSquared() throws {
        let sim = try world()
        let ball = try sim.addBody(name: "ball", pose: Transform(position: Vec3(0, 0, 10)), mass: .solid(.sphere(radius: 0.1), density: 1000))
        try sim.addGeom(.sphere(radius: 0.1), body: ball)
        try sim.step(substeps: 1000)
        let fallen = 10 - sim.bodyPose(ball).position.z
        let expected = g * 1 * 1 / 2
        #expect(abs(fallen - expected) / expected < 0.005, "fell \(fallen) m, expected \(expected) m")
        #expect(abs(sim.time - 1) < 1e-9)
    }

    @Test func smallAngleHingePendulumPeriod() throws {
        // A uniform rod of length L hanging from a hinge at its top end: a physical pendulum with
        // T = 2π √(I_pivot / (m g d)), d = L/2, I_pivot = I_com + m d² (rod and radius accounted for).
        let sim = try world()
        let length = 1.0, radius = 0.01
        let rodShape = GeomShape.cylinder(radius: radius, halfLength: length / 2)
        let rodMass = MassProperties.solid(rodShape, density: 1000)
        let rod = try sim.addBody(name: "rod", pose: Transform(position: Vec3(0, 0, -length / 2)), mass: rodMass)
        try sim.addGeom(rodShape, body: rod, filter: .none)
        let hinge = try sim.addHinge(name: "pivot", body: rod, parent: nil, anchor: .zero, axis: Vec3(0, 1, 0))
        let d = length / 2
        let iPivot = rodMass.inertia.1 + rodMass.mass * d * d
        let expected = 2 * Double.pi * (iPivot / (rodMass.mass * g * d)).squareRoot()
        // Start at 0.05 rad, measure successive upward zero crossings.
        let start = Transform(position: Vec3(-d * sin(0.05), 0, -d * cos(0.05)), rotation: Quat(axis: Vec3(0, 1, 0), angle: 0.05))
        // Rebuild the hinge reference at rest: set state after creation; angle counts from creation.
        try sim.setBodyState(rod, pose: start)
        var crossings: [Double] = []
        var previous = sim.jointPosition(hinge)
        for _ in 0..<12_000 {
            try sim.step()
            let a = sim.jointPosition(hinge)
            if previous < 0 && a >= 0 {
                let frac = -previous / (a - previous)
                crossings.append(sim.time - sim.parameters.timestep * (1 - frac))
            }
            previous = a
        }
        #expect(crossings.count >= 5)
        let periods = zip(crossings.dropFirst(), crossings).map { $0 - $1 }
        let period = periods.reduce(0, +) / Double(periods.count)
        #expect(abs(period - expected) / expected < 0.01, "period \(period) s, expected \(expected) s")
    }

    @Test func boxRestingOnAPlaneDriftsLessThanAMillimetre() throws {
        let sim = try world(dt: 0.002)
        try sim.addGeom(.plane(normal: Vec3(0, 0, 1), offset: 0), body: nil)
        let box = try sim.addBody(name: "box", pose: Transform(position: Vec3(0.3, -0.2, 0.1)), mass: .solid(.box(halfExtents: Vec3(0.1, 0.1, 0.1)), density: 500))
        try sim.addGeom(.box(halfExtents: Vec3(0.1, 0.1, 0.1)), body: box)
        try sim.step(substeps: 250)  // settle 0.5 s
        let settled = sim.bodyPose(box).position
        try sim.step(substeps: 5000)  // 10 s
        let drift = (sim.bodyPose(box).position - settled).norm
        #expect(drift < 0.001, "drift \(drift) m")
        #expect(abs(settled.z - 0.1) < 0.002, "resting height \(settled.z)")
    }

    /// A box on a plane tilted by θ with friction μ slides exactly when tan θ > μ.
    @Test(arguments: [0.9, 1.1])
    func boxOnInclineSlidesExactlyAboveTheFrictionAngle(ratio: Double) throws {
        let mu = 0.5
        let theta = atan(mu * ratio)
        let sim = try world(dt: 0.002)
        let normal = Vec3(-sin(theta), 0, cos(theta))
        try sim.addGeom(.plane(normal: normal, offset: 0), body: nil, friction: mu)
        let h = 0.05
        let pose = Transform(position: normal * h, rotation: Quat(axis: Vec3(0, 1, 0), angle: -theta))
        let box = try sim.addBody(name: "box", pose: pose, mass: .solid(.box(halfExtents: Vec3(h, h, h)), density: 1000))
        try sim.addGeom(.box(halfExtents: Vec3(h, h, h)), body: box, friction: mu)
        try sim.step(substeps: 100)
        let p0 = sim.bodyPose(box).position
        try sim.step(substeps: 1000)  // 2 s
        let moved = (sim.bodyPose(box).position - p0).norm
        if ratio < 1 {
            #expect(moved < 0.002, "tan θ = \(tan(theta)) < μ: moved \(moved) m")
        } else {
            // a = g (sin θ − μ cos θ): over 2 s that is 0.5·a·t².
            let expected = 0.5 * g * (sin(theta) - mu * cos(theta)) * 4
            #expect(moved > 0.5 * expected, "tan θ = \(tan(theta)) > μ: moved \(moved) m, expected about \(expected) m")
        }
    }

    @Test func hingeLimitsHoldUnderMaximalTorque() throws {
        let sim = try world()
        let shape = GeomShape.box(halfExtents: Vec3(0.25, 0.02, 0.02))
        let arm = try sim.addBody(name: "arm", pose: Transform(position: Vec3(0.25, 0, 0)), mass: .solid(shape, density: 1000))
        try sim.addGeom(shape, body: arm, filter: .none)
        let hinge = try sim.addHinge(name: "h", body: arm, parent: nil, anchor: .zero, axis: Vec3(0, 0, 1), dynamics: JointDynamics(limits: -0.5...0.5))
        let motor = try sim.addMotor(name: "m", joint: hinge, gear: 150, controlRange: -1...1)
        _ = motor
        // ODE activates a stop once the joint is past it, so a joint arriving at ω overshoots by up
        // to ω·h for one step, then the stop pushes it back; held against the stop it stays there.
        var worst = 0.0, fastest = 0.0
        for sign in [1.0, -1.0] {
            try sim.setControls([sign])
            for _ in 0..<2000 {
                fastest = max(fastest, abs(sim.jointVelocity(hinge)))
                try sim.step()
                worst = max(worst, abs(sim.jointPosition(hinge)))
            }
            #expect(abs(abs(sim.jointPosition(hinge)) - 0.5) < 0.002, "held at \(sim.jointPosition(hinge)) rad")
        }
        #expect(worst < 0.5 + fastest * sim.parameters.timestep + 0.005, "max |angle| \(worst) rad under 150 N·m arriving at \(fastest) rad/s")
    }

    /// A soft stop (ERP e, CFM c) is the spring-damper kp = e/(h·c), kd = (1 − e)/c: held against it by a
    /// constant torque τ, a joint settles τ/kp past the limit (a hard stop holds it within 2 mrad).
    @Test func softLimitSettlesWhereItsSpringBalancesTheTorque() throws {
        let sim = try world(dt: 0.01, gravity: .zero)
        let shape = GeomShape.box(halfExtents: Vec3(0.25, 0.02, 0.02))
        let arm = try sim.addBody(name: "arm", pose: Transform(position: Vec3(0.25, 0, 0)), mass: .solid(shape, density: 1000))
        try sim.addGeom(shape, body: arm, filter: .none)
        let hinge = try sim.addHinge(name: "h", body: arm, parent: nil, anchor: .zero, axis: Vec3(0, 0, 1),
                                     dynamics: JointDynamics(limits: -0.5...0.5, damping: 1, armature: 1))
        try sim.addMotor(name: "m", joint: hinge, gear: 150, controlRange: -1...1)
        let erp = 0.263, cfm = 5.3e-4
        try sim.setLimitSoftness(hinge, erp: erp, cfm: cfm)
        try sim.setControls([1])
        try sim.step(substeps: 300)
        let kp = erp / (sim.parameters.timestep * cfm)
        let expected = 0.5 + 150 / kp
        #expect(abs(sim.jointPosition(hinge) - expected) < 0.002, "settled at \(sim.jointPosition(hinge)) rad, spring balance at \(expected)")
        #expect(throws: PhysicsError.self) { try sim.setLimitSoftness(hinge, erp: 1.5, cfm: cfm) }
        #expect(throws: PhysicsError.self) { try sim.setLimitSoftness(hinge, erp: erp, cfm: 0) }
    }

    /// A geom margin grows the collider only: a sphere with margin 0.01 rests 1 cm higher, its mass unchanged.
    @Test func geomMarginRaisesTheRestingHeightByTheMargin() throws {
        var heights: [Double] = []
        for margin in [0.0, 0.01] {
            let sim = try world(dt: 0.002)
            try sim.addGeom(.plane(normal: Vec3(0, 0, 1), offset: 0), body: nil)
            let mass = MassProperties.solid(.sphere(radius: 0.1), density: 1000)
            let ball = try sim.addBody(name: "ball", pose: Transform(position: Vec3(0, 0, 0.2)), mass: mass)
            try sim.addGeom(.sphere(radius: 0.1), body: ball, margin: margin)
            try sim.step(substeps: 1000)
            heights.append(sim.bodyPose(ball).position.z)
        }
        #expect(abs(heights[1] - heights[0] - 0.01) < 1e-4, "resting heights \(heights)")
        let sim = try world()
        #expect(throws: PhysicsError.self) { try sim.addGeom(.plane(normal: Vec3(0, 0, 1), offset: 0), body: nil, margin: 0.01) }
    }

    /// Force-dependent slip: a box pulled sideways well inside its friction cone (1 N against μN = 9.8 N)
    /// stays put under Coulomb friction (measured: 3e-5 m/s) and creeps at slip × force with
    /// `ContactMaterial.slip` (per contact point: the box rests on 4).
    @Test func contactSlipCreepsAtSlipTimesForce() throws {
        var speeds: [Double] = []
        for slip in [0.0, 0.002] {
            let sim = try world(dt: 0.002, gravity: Vec3(1, 0, -g))
            let floor = try sim.addGeom(.plane(normal: Vec3(0, 0, 1), offset: 0), body: nil)
            let shape = GeomShape.box(halfExtents: Vec3(0.05, 0.05, 0.05))
            let box = try sim.addBody(name: "box", pose: Transform(position: Vec3(0, 0, 0.05)), mass: .solid(shape, density: 1000))
            let geom = try sim.addGeom(shape, body: box)
            try sim.setContactMaterial(ContactMaterial(friction: 1, slip: slip), between: floor, and: geom)
            try sim.step(substeps: 500)
            speeds.append(sim.linearVelocity(box).x)
        }
        // 1 kg box, 1 m/s² sideways: 1 N shared by the box's 4 contact points, each creeping at slip × its share.
        let expected = 0.002 * 1.0 / 4
        #expect(abs(speeds[0]) < 5e-5, "Coulomb: \(speeds[0]) m/s")
        #expect(abs(speeds[1] - expected) < 5e-5, "slip: \(speeds[1]) m/s, expected \(expected)")
        let sim = try world()
        let a = try sim.addGeom(.plane(normal: Vec3(0, 0, 1), offset: 0), body: nil), b = try sim.addGeom(.plane(normal: Vec3(1, 0, 0), offset: 0), body: nil)
        #expect(throws: PhysicsError.self) { try sim.setContactMaterial(ContactMaterial(slip: -1), between: a, and: b) }
    }

    @Test func mocapTargetPullsItsWeldedBodyWithinAMillimetre() throws {
        let sim = try world(dt: 0.002)
        let mocap = try sim.addKinematicBody(name: "mocap", pose: Transform(position: Vec3(0, 0, 1)))
        let shape = GeomShape.box(halfExtents: Vec3(0.05, 0.05, 0.05))
        let hand = try sim.addBody(name: "hand", pose: Transform(position: Vec3(0, 0, 1)), mass: .solid(shape, density: 1000))
        try sim.addGeom(shape, body: hand)
        try sim.addWeld(name: "weld", mocap: mocap, body: hand, stiffness: 1e5, damping: 2e3)
        let target = Vec3(0.3, -0.2, 1.1)
        try sim.setMocapPose(mocap, Transform(position: target))
        try sim.step(substeps: 500)
        let error = (sim.bodyPose(hand).position - target).norm
        #expect(error < 0.001, "welded body is \(error) m from its target")
    }

    @Test func implicitHingeDampingDecaysAtRateDampingOverInertia() throws {
        let sim = try world(dt: 0.001, gravity: .zero)
        let shape = GeomShape.sphere(radius: 0.1)
        let mass = MassProperties.solid(shape, density: 1000)
        let ball = try sim.addBody(name: "ball", pose: .identity, mass: mass)
        let hinge = try sim.addHinge(name: "h", body: ball, parent: nil, anchor: .zero, axis: Vec3(0, 0, 1), dynamics: JointDynamics(damping: 0.01))
        try sim.setBodyState(ball, pose: .identity, angularVelocity: Vec3(0, 0, 2))
        try sim.step(substeps: 1000)
        let expected = 2 * exp(-0.01 / mass.inertia.2 * 1)
        let got = sim.jointVelocity(hinge)
        #expect(abs(got - expected) / expected < 0.01, "ω(1 s) = \(got), expected \(expected)")
    }

    @Test func planarConstraintKeepsABodyInItsPlane() throws {
        let sim = try world()
        try sim.addGeom(.plane(normal: Vec3(0, 0, 1), offset: 0), body: nil)
        let shape = GeomShape.capsule(radius: 0.05, halfLength: 0.3)
        let body = try sim.addBody(name: "b", pose: Transform(position: Vec3(0, 0, 1), rotation: Quat(axis: Vec3(1, 1, 0), angle: 0.7)), mass: .solid(shape, density: 1000))
        try sim.addGeom(shape, body: body)
        try sim.addPlanarConstraint(name: "plane", body: body, normal: Vec3(0, 1, 0))
        let q0 = sim.bodyPose(body).rotation
        try sim.setBodyState(body, pose: sim.bodyPose(body), linearVelocity: Vec3(1, 0, 0), angularVelocity: Vec3(0, 3, 0))
        try sim.step(substeps: 3000)
        let pose = sim.bodyPose(body)
        #expect(abs(pose.position.y) < 1e-6, "left the plane by \(pose.position.y) m")
        // Rotation since the start is about the plane's normal only.
        let rel = pose.rotation * q0.conjugate
        #expect(abs(rel.x) < 1e-6 && abs(rel.z) < 1e-6, "rotated out of the plane: \(rel)")
    }
}

@Suite("Simulation determinism and errors")
struct DeterminismTests {
    /// A chaotic scene: a three-link chain swinging into falling boxes and capsules on a floor.
    static func chaoticScene() throws -> Simulation {
        let sim = try world(dt: 0.002)
        try sim.addGeom(.plane(normal: Vec3(0, 0, 1), offset: 0), body: nil)
        var parent: BodyID? = nil
        var anchor = Vec3(0, 0, 1.5)
        for i in 0..<3 {
            let shape = GeomShape.capsule(radius: 0.04, halfLength: 0.15)
            let pose = Transform(position: anchor + Vec3(0.15, 0, 0), rotation: Quat(axis: Vec3(0, 1, 0), angle: .pi / 2))
            let b = try sim.addBody(name: "link\(i)", pose: pose, mass: .solid(shape, density: 800))
            try sim.addGeom(shape, body: b)
            try sim.addHinge(name: "j\(i)", body: b, parent: parent, anchor: anchor, axis: Vec3(0, 1, 0), dynamics: JointDynamics(damping: 0.01))
            parent = b
            anchor = anchor + Vec3(0.3, 0, 0)
        }
        for i in 0..<4 {
            let shape: GeomShape = i % 2 == 0 ? .box(halfExtents: Vec3(0.08, 0.06, 0.05)) : .sphere(radius: 0.07)
            let b = try sim.addBody(name: "o\(i)", pose: Transform(position: Vec3(0.2 * Double(i), 0.01 * Double(i), 0.3 + 0.2 * Double(i)), rotation: Quat(axis: Vec3(1, 0.3, 0.2), angle: Double(i))), mass: .solid(shape, density: 600))
            try sim.addGeom(shape, body: b)
        }
        return sim
    }

    static func trajectory(_ sim: Simulation, steps: Int) throws -> [Simulation.State] {
        var out: [Simulation.State] = []
        for _ in 0..<steps { try sim.step(substeps: 5); out.append(sim.snapshot()) }
        return out
    }

    @Test func sameSceneSteppedTwiceIsBitIdentical() throws {
        let a = try Self.trajectory(try Self.chaoticScene(), steps: 300)
        let b = try Self.trajectory(try Self.chaoticScene(), steps: 300)
        #expect(a == b, "two runs of the same scene differ")
        #expect(a.first != a.last)
    }

    @Test func snapshotRestoreReplaysBitIdentically() throws {
        let sim = try Self.chaoticScene()
        try sim.step(substeps: 250)
        let saved = sim.snapshot()
        let first = try Self.trajectory(sim, steps: 200)
        try sim.restore(saved)
        #expect(sim.snapshot() == saved, "restored state differs from the saved one")
        let second = try Self.trajectory(sim, steps: 200)
        #expect(first == second, "replay after restore differs")
    }

    @Test func twoSimulationsOnTwoThreadsMatchSequentialRuns() async throws {
        let sequential = try Self.trajectory(try Self.chaoticScene(), steps: 400)
        async let x = Task.detached { try Self.trajectory(try Self.chaoticScene(), steps: 400) }.value
        async let y = Task.detached { try Self.trajectory(try Self.chaoticScene(), steps: 400) }.value
        let (rx, ry) = try await (x, y)
        #expect(rx == sequential, "thread 1 differs from the sequential run")
        #expect(ry == sequential, "thread 2 differs from the sequential run")
    }

    @Test func divergenceIsATypedError() throws {
        let sim = try world()
        let b = try sim.addBody(name: "rocket", pose: .identity, mass: .solid(.sphere(radius: 0.1), density: 1000))
        try sim.setBodyState(b, pose: .identity, linearVelocity: Vec3(5000, 0, 0))
        #expect(throws: PhysicsError.self) { try sim.step() }
        do { try sim.step() } catch let e as PhysicsError {
            guard case .diverged = e else { Issue.record("expected diverged, got \(e)"); return }
        }
    }

    @Test func badArgumentsNeverReachODE() throws {
        let sim = try world()
        #expect(throws: PhysicsError.self) { try sim.addGeom(.sphere(radius: -1), body: nil) }
        #expect(throws: PhysicsError.self) { try sim.addGeom(.box(halfExtents: Vec3(.nan, 1, 1)), body: nil) }
        #expect(throws: PhysicsError.self) { try sim.addBody(name: "m0", pose: .identity, mass: MassProperties(mass: 0, inertia: (1, 1, 1, 0, 0, 0))) }
        #expect(throws: PhysicsError.self) { try sim.addBody(name: "bad inertia", pose: .identity, mass: MassProperties(mass: 1, inertia: (1, 1, -1, 0, 0, 0))) }
        let b = try sim.addBody(name: "b", pose: .identity, mass: .solid(.sphere(radius: 0.1), density: 1000))
        #expect(throws: PhysicsError.self) { try sim.addHinge(name: "h", body: b, parent: nil, anchor: .zero, axis: .zero) }
        #expect(throws: PhysicsError.self) { try sim.addHinge(name: "h", body: b, parent: nil, anchor: .zero, axis: Vec3(0, 0, 1), dynamics: JointDynamics(limits: -4...4)) }
        #expect(throws: PhysicsError.self) { try sim.addGeom(.plane(normal: Vec3(0, 0, 1), offset: 0), body: b) }
        #expect(throws: PhysicsError.self) { try Simulation(parameters: SimulationParameters(timestep: 0)) }
        let h = try sim.addHinge(name: "ok", body: b, parent: nil, anchor: .zero, axis: Vec3(0, 0, 1))
        try sim.addMotor(name: "m", joint: h, gear: 1, controlRange: -1...1)
        #expect(throws: PhysicsError.self) { try sim.setControls([1, 2]) }
        #expect(throws: PhysicsError.self) { try sim.setControls([.nan]) }
        try sim.setControls([5])
        #expect(sim.currentControls == [1])
    }
}
