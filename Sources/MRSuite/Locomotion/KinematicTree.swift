import MRCore
import MRPhysics

/// Forward kinematics of a model's hinge tree, to place a robot in a joint configuration (reset
/// noise on qpos and qvel, as Gymnasium does with `set_state`).
///
/// Recorded once in the model's zero configuration (every hinge angle 0): each hinged body's rest
/// frame relative to its parent and the hinge's anchor and axis in the parent's frame. A
/// configuration is then applied parent first: child = parent ∘ (rotation by q about the anchor) ∘ rest.
struct KinematicTree {
    struct Link {
        let joint: JointID
        let body: BodyID
        let parent: BodyID
        /// Child frame in the parent frame at q = 0.
        let rest: Transform
        /// Hinge anchor and unit axis in the parent frame.
        let anchor: Vec3
        let axis: Vec3
    }
    /// Hinges in parent-before-child order.
    let links: [Link]

    /// - Parameter joints: every hinge of the tree (any order); the root body has no hinge among them.
    init(simulation sim: Simulation, joints: [JointID]) throws {
        var pending = joints
        var placed = Set<Int>()
        var out: [Link] = []
        let hinged = Set(joints.map { sim.jointBodies($0).body.index })
        while !pending.isEmpty {
            guard let k = pending.firstIndex(where: { j in
                guard let p = sim.jointBodies(j).parent else { return false }
                return !hinged.contains(p.index) || placed.contains(p.index)
            }) else { throw EnvironmentError.invalidTask("kinematic tree: hinges do not form a tree under one root") }
            let j = pending.remove(at: k)
            let (b, p) = sim.jointBodies(j)
            guard let parent = p, let frame = sim.hingeFrame(j) else { throw EnvironmentError.invalidTask("kinematic tree: \(sim.jointName(j)) is not a hinge between two bodies") }
            let pp = sim.bodyPose(parent), inv = pp.inverse
            out.append(Link(joint: j, body: b, parent: parent, rest: inv.composed(with: sim.bodyPose(b)),
                            anchor: inv.apply(frame.anchor), axis: inv.rotation.rotate(frame.axis).normalized))
            placed.insert(b.index)
        }
        links = out
    }

    /// Places every hinged body for the joint angles and rates given, parents first, the root's
    /// pose and velocity being already set.
    /// - Parameters:
    ///   - angle: a hinge's angle (rad); `rate`: its rate (rad/s).
    func apply(_ sim: Simulation, angle: (JointID) -> Double, rate: (JointID) -> Double) throws {
        for l in links {
            let parentPose = sim.bodyPose(l.parent)
            let q = angle(l.joint), qd = rate(l.joint)
            let turn = Quat(axis: l.axis, angle: q)
            let local = Transform(position: l.anchor + turn.rotate(l.rest.position - l.anchor), rotation: (turn * l.rest.rotation).normalized)
            let pose = parentPose.composed(with: local)
            let axisWorld = parentPose.rotation.rotate(l.axis)
            let anchorWorld = parentPose.apply(l.anchor)
            let omega = sim.angularVelocity(l.parent) + axisWorld * qd
            let v = sim.pointVelocity(l.parent, atWorld: pose.position) + axisWorld.cross(pose.position - anchorWorld) * qd
            try sim.setBodyState(l.body, pose: pose, linearVelocity: v, angularVelocity: omega)
        }
    }
}
