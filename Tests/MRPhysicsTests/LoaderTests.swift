import Foundation
import MRCore
import Testing
@testable import MRPhysics
import _MRTestSupport

@Suite("MJCF-subset loader")
struct LoaderTests {
    @Test func pendulumAssetLoads() throws {
        let model = try MJCFLoader.load(path: TestSupport.packageRoot + "/Assets/models/pendulum.xml")
        #expect(model.name == "pendulum")
        #expect(model.joints.map(\.name) == ["hinge"])
        #expect(model.actuators.map(\.name) == ["torque"])
        #expect(model.timestep == 0.01)
        let tip = try #require(model.sitePosition("tip"))
        #expect((tip - Vec3(0, 0, 1)).norm < 1e-12)
        #expect(model.simulation.actuatorControlRange(model.actuators[0].id) == -1...1)
    }

    static let richModel = """
    <mujoco model="rich">
      <compiler angle="degree"/>
      <option timestep="0.005" gravity="0 0 -9.81"/>
      <default>
        <joint damping="0.5"/>
        <geom friction="0.8 0.1 0.1" rgba="0.5 0.5 0.5 1"/>
      </default>
      <worldbody>
        <geom name="floor" type="plane" size="0 0 1"/>
        <body name="torso" pos="0 0 1">
          <joint name="rootx" type="slide" axis="1 0 0"/>
          <joint name="rootz" type="slide" axis="0 0 1"/>
          <joint name="rooty" type="hinge" axis="0 1 0"/>
          <geom name="torso" type="capsule" fromto="-0.5 0 0 0.5 0 0" size="0.05"/>
          <geom name="head" type="sphere" pos="0.6 0 0.1" size="0.08"/>
          <body name="thigh" pos="-0.5 0 0" euler="0 30 0">
            <joint name="hip" type="hinge" axis="0 1 0" range="-30 60" stiffness="10"/>
            <geom type="box" size="0.05 0.02 0.15" pos="0 0 -0.15"/>
            <body name="pad" pos="0 0 -0.3">
              <geom type="cylinder" size="0.03 0.02"/>
              <site name="foot" pos="0 0 -0.02"/>
            </body>
          </body>
        </body>
        <body name="target" mocap="true" pos="1 1 1">
          <geom type="box" size="0.02 0.02 0.02" contype="0" conaffinity="0"/>
        </body>
        <body name="hand" pos="1 1 1">
          <freejoint name="hand_free"/>
          <geom type="box" size="0.03 0.03 0.03"/>
        </body>
      </worldbody>
      <actuator>
        <motor name="hip_motor" joint="hip" gear="60" ctrlrange="-1 1"/>
      </actuator>
      <contact><exclude body1="torso" body2="thigh"/></contact>
      <equality><weld body1="target" body2="hand" solref="0.01 1"/></equality>
    </mujoco>
    """

    @Test func richModelBuildsEveryFeatureOfTheSubset() throws {
        let model = try MJCFLoader.load(text: Self.richModel)
        #expect(model.joints.map(\.name) == ["rootx", "rootz", "rooty", "hip"])
        #expect(model.actuators.map(\.name) == ["hip_motor"])
        let sim = model.simulation
        // pad has no joint: it rides on thigh, so the simulation has torso, thigh, target and hand.
        #expect(sim.bodyCount == 4)
        #expect(model.body("pad") == model.body("thigh"))
        let foot = try #require(model.sitePosition("foot"))
        // thigh frame at (-0.5, 0, 1) turned 30° about y; the foot 0.32 m down its z axis.
        let expected = Vec3(-0.5, 0, 1) + Quat(axis: Vec3(0, 1, 0), angle: .pi / 6).rotate(Vec3(0, 0, -0.32))
        #expect((foot - expected).norm < 1e-9)
        // Planar coordinates start at zero and follow the torso.
        for j in model.joints { #expect(abs(sim.jointPosition(j.id)) < 1e-12) }
        try sim.step(substeps: 200)
        let rootz = try #require(model.joint("rootz"))
        #expect(sim.jointPosition(rootz) < -0.1, "the planar cheetah-like body falls under gravity")
        #expect(abs(model.pose(ofBody: "torso")!.position.y) < 1e-9)
        // The weld holds the free hand at the mocap target.
        #expect((model.pose(ofBody: "hand")!.position - Vec3(1, 1, 1)).norm < 0.01)
    }

    /// Writes `text` to a temporary model file and returns its path.
    func write(_ text: String, name: String = "model.xml") throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mrbench-loader-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func loadError(_ text: String) throws -> (ModelError, String) {
        let path = try write(text)
        do {
            _ = try MJCFLoader.load(path: path)
        } catch let e as ModelError {
            return (e, path)
        }
        Issue.record("the model loaded but should have been refused")
        throw CancellationError()
    }

    @Test func unknownElementNamesFileAndLine() throws {
        let (e, path) = try loadError("<mujoco>\n<worldbody>\n  <light pos=\"0 0 1\"/>\n</worldbody>\n</mujoco>\n")
        #expect(e.file == path)
        #expect(e.line == 3)
        #expect(e.description.contains("<light>"))
        #expect(e.description.hasPrefix("\(path):3:"))
    }

    @Test func badNumberNamesFileLineAndAttribute() throws {
        let (e, path) = try loadError("<mujoco>\n<worldbody>\n<body>\n<geom type=\"sphere\"\n      size=\"0.1x\"/>\n</body>\n</worldbody>\n</mujoco>")
        #expect(e.file == path && e.line == 5 && e.attribute == "size")
        #expect(e.description.contains("attribute 'size'") && e.description.contains("0.1x"))
    }

    @Test func unsupportedAttributeNamesFileLineAndAttribute() throws {
        let (e, path) = try loadError("<mujoco>\n<worldbody>\n<body>\n<joint type=\"hinge\" frictionloss=\"0.1\"/>\n<geom size=\"0.1\"/>\n</body>\n</worldbody>\n</mujoco>")
        #expect(e.file == path && e.line == 4 && e.attribute == "frictionloss")
        #expect(e.description.contains("unsupported attribute"))
    }

    @Test func missingIncludedFileNamesFileLineAndAttribute() throws {
        let (e, path) = try loadError("<mujoco>\n\n<include file=\"parts/missing.xml\"/>\n<worldbody/>\n</mujoco>")
        #expect(e.file == path && e.line == 3 && e.attribute == "file")
        #expect(e.description.contains("missing.xml"))
    }

    @Test func missingModelFileIsAClearError() throws {
        do {
            _ = try MJCFLoader.load(path: "/nonexistent/model.xml")
            Issue.record("loaded a missing file")
        } catch let e as ModelError {
            #expect(e.file == "/nonexistent/model.xml")
            #expect(e.description.contains("cannot read model file"))
        }
    }

    @Test func includeInsertsTheIncludedModelsChildren() throws {
        let part = try write("<mujoco><worldbody><body name=\"ball\" pos=\"0 0 1\"><freejoint/><geom size=\"0.1\"/></body></worldbody></mujoco>", name: "part.xml")
        let dir = (part as NSString).deletingLastPathComponent
        let main = dir + "/main.xml"
        try "<mujoco>\n<option timestep=\"0.01\"/>\n<include file=\"part.xml\"/>\n</mujoco>".write(toFile: main, atomically: true, encoding: .utf8)
        let model = try MJCFLoader.load(path: main)
        #expect(model.body("ball") != nil)
    }

    @Test(arguments: [
        ("<mujoco><worldbody><body><joint type=\"ball\"/><geom size=\"1\"/></body></worldbody></mujoco>", "type"),
        ("<mujoco><worldbody><geom type=\"mesh\"/></worldbody></mujoco>", "type"),
        ("<mujoco><worldbody><body><geom type=\"box\" size=\"1 1\"/></body></worldbody></mujoco>", "size"),
        ("<mujoco><option timestep=\"-1\"/><worldbody/></mujoco>", "timestep"),
        ("<mujoco><worldbody><body><joint range=\"0 1 2\"/><geom size=\"1\"/></body></worldbody></mujoco>", "range"),
        ("<mujoco><actuator><motor joint=\"nope\"/></actuator><worldbody/></mujoco>", "joint"),
    ])
    func otherMalformedInputIsRefusedWithItsAttribute(text: String, attribute: String) throws {
        let (e, _) = try loadError(text)
        #expect(e.attribute == attribute, "\(e)")
    }

    /// A rod hanging from a hinge with `armature` I_a: MuJoCo adds I_a to the joint's inertia, so the
    /// small-angle period is 2π √((I_pivot + I_a) / (m g d)); and with damping kd and no gravity a
    /// spinning rotor decays at kd / (I + I_a).
    @Test(arguments: [0.0, 0.02, 0.1])
    func armatureAddsToTheJointInertia(armature: Double) throws {
        let length = 0.5, radius = 0.02, density = 500.0
        let model = try MJCFLoader.load(text: """
        <mujoco><compiler angle="radian"/><option timestep="0.001" gravity="0 0 -9.81"/>
        <worldbody><body name="rod"><joint name="pivot" type="hinge" axis="0 1 0" armature="\(armature)"/>
        <geom type="cylinder" fromto="0 0 0 0 0 -\(length)" size="\(radius)" density="\(density)" contype="0" conaffinity="0"/></body></worldbody></mujoco>
        """)
        let sim = model.simulation
        let rod = try #require(model.body("rod")), pivot = try #require(model.joint("pivot"))
        let shape = GeomShape.cylinder(radius: radius, halfLength: length / 2)
        let m = density * shape.volume, d = length / 2
        let iPivot = MassProperties.solid(shape, density: density).inertia.0 + m * d * d
        let expected = 2 * Double.pi * ((iPivot + armature) / (m * 9.81 * d)).squareRoot()
        try sim.setBodyState(rod, pose: Transform(rotation: Quat(axis: Vec3(0, 1, 0), angle: 0.05)))
        var crossings: [Double] = []
        var previous = sim.jointPosition(pivot)
        for _ in 0..<8_000 {
            try sim.step()
            let a = sim.jointPosition(pivot)
            if previous < 0 && a >= 0 { crossings.append(sim.time - sim.parameters.timestep * (1 - (-previous / (a - previous)))) }
            previous = a
        }
        #expect(crossings.count >= 3)
        let period = (crossings.last! - crossings.first!) / Double(crossings.count - 1)
        #expect(abs(period - expected) / expected < 0.01, "armature \(armature): period \(period) s, expected \(expected) s")
    }

    @Test func armatureAndDampingShareOneImplicitRow() throws {
        let model = try MJCFLoader.load(text: """
        <mujoco><option timestep="0.01" gravity="0 0 0"/>
        <worldbody><body name="ball"><joint name="spin" type="hinge" axis="0 0 1" damping="0.5" armature="1"/>
        <geom type="sphere" size="0.1" density="1000"/></body></worldbody></mujoco>
        """)
        let sim = model.simulation
        let ball = try #require(model.body("ball")), spin = try #require(model.joint("spin"))
        let inertia = 0.4 * 1000 * GeomShape.sphere(radius: 0.1).volume * 0.01
        try sim.setBodyState(ball, pose: .identity, angularVelocity: Vec3(0, 0, 2))
        try sim.step(substeps: 100)
        // Implicit Euler per substep: ω′ = ω / (1 + h kd / (I + I_a)).
        let expected = 2 * pow(1 / (1 + 0.01 * 0.5 / (inertia + 1)), 100)
        #expect(abs(sim.jointVelocity(spin) - expected) / expected < 1e-6, "ω(1 s) = \(sim.jointVelocity(spin)), expected \(expected)")
    }

    @Test func unclosedElementIsAnError() throws {
        let (e, _) = try loadError("<mujoco>\n<worldbody>\n</mujoco>")
        #expect(e.description.contains("closes <worldbody>"))
    }
}
