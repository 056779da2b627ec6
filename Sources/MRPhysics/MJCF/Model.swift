import MRCore

/// A model built from an MJCF-subset file: the simulation plus name tables in declaration order.
public final class Model {
    /// The simulation the model was built into.
    public let simulation: Simulation
    /// Model name (the `model` attribute of `<mujoco>`).
    public let name: String
    /// Physics substep from `<option timestep>` (seconds).
    public var timestep: Double { simulation.parameters.timestep }
    /// Joints in declaration order (free joints excluded), by name.
    public let joints: [(name: String, id: JointID)]
    /// Actuators in declaration order.
    public let actuators: [(name: String, id: ActuatorID)]
    /// Every named geom.
    public let geoms: [String: GeomID]
    /// Where each named model body is: its simulation body (nil: static) and its frame relative to that body's model frame.
    let bodyFrames: [String: (body: BodyID?, offset: Transform)]
    /// Every named site: its model body and position in that body's frame.
    let sites: [String: (body: String, position: Vec3)]

    init(simulation: Simulation, name: String, joints: [(String, JointID)], actuators: [(String, ActuatorID)], geoms: [String: GeomID],
         bodyFrames: [String: (BodyID?, Transform)], sites: [String: (String, Vec3)]) {
        self.simulation = simulation; self.name = name
        self.joints = joints.map { (name: $0.0, id: $0.1) }
        self.actuators = actuators.map { (name: $0.0, id: $0.1) }
        self.geoms = geoms
        self.bodyFrames = bodyFrames.mapValues { (body: $0.0, offset: $0.1) }
        self.sites = sites.mapValues { (body: $0.0, position: $0.1) }
    }

    /// The simulation body carrying a named model body (nil for static bodies or unknown names).
    public func body(_ name: String) -> BodyID? { bodyFrames[name]?.body }
    /// The id of a named joint.
    public func joint(_ name: String) -> JointID? { joints.first { $0.name == name }?.id }
    /// The id of a named actuator.
    public func actuator(_ name: String) -> ActuatorID? { actuators.first { $0.name == name }?.id }

    /// World pose of a named model body's frame.
    public func pose(ofBody name: String) -> Transform? {
        guard let f = bodyFrames[name] else { return nil }
        guard let b = f.body else { return f.offset }
        return simulation.bodyPose(b).composed(with: f.offset)
    }

    /// World position of a named site.
    public func sitePosition(_ name: String) -> Vec3? {
        guard let s = sites[name], let p = pose(ofBody: s.body) else { return nil }
        return p.apply(s.position)
    }
}
