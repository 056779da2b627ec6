import MRCore
import MRPhysics

/// The shared skeleton of the locomotion robots (`AntEnvironment`, `HalfCheetahEnvironment`), as
/// `SawyerRig` is for manipulation: the model loaded from the assets with its floor contacts set,
/// the torso, the named joints in Gymnasium's qpos order, the hinge tree that places a
/// configuration, the start state every reset begins from, and one control step of torques.
///
/// The environments keep what differs: their reset draws (Gymnasium's qpos/qvel layouts), their
/// observation and reward.
struct LocomotionRig {
    let model: Model
    var simulation: Simulation { model.simulation }
    let torso: BodyID
    /// The named joints, in the order given (Gymnasium's qpos order).
    let joints: [JointID]
    /// Joint index → position in `joints`.
    let slot: [Int: Int]
    /// The hinges below the torso, for placing a configuration.
    let tree: KinematicTree
    /// The state right after loading and configuring: every reset starts from it.
    let initial: Simulation.State
    /// The torso's pose in the start state.
    let torsoRest: Transform

    /// Loads `path`, gives every geom's contact with the `floor` geom `floorContact`, runs
    /// `configure` (further model settings), then finds the torso and the joints.
    /// - Parameters:
    ///   - joints: joint names in qpos order; `treeJoints` of them (the trailing ones) are the hinge tree's.
    ///   - motors: the number of actuators the model must have.
    init(model path: String, assets: String?, planar: PlanarScheme = .constraintRows, floorContact: ContactMaterial,
         configure: (Model) throws -> Void = { _ in }, joints names: [String], treeJoints: Int, motors: Int) throws {
        let file = path.split(separator: "/").last.map(String.init) ?? path
        model = try AssetModels.load(path, assets: assets, planar: planar)
        let sim = model.simulation
        guard let floor = model.geoms["floor"] else { throw EnvironmentError.invalidTask("\(file) lacks the floor geom") }
        for (name, g) in model.geoms where name != "floor" { try sim.setContactMaterial(floorContact, between: floor, and: g) }
        try configure(model)
        let m = model
        joints = try names.map { n in
            guard let j = m.joint(n) else { throw EnvironmentError.invalidTask("\(file) lacks joint \(n)") }
            return j
        }
        guard let t = model.body("torso"), model.actuators.count == motors else {
            throw EnvironmentError.invalidTask("\(file) lacks the torso or \(Self.spelled(motors)) motors")
        }
        torso = t
        tree = try KinematicTree(simulation: sim, joints: Array(joints.suffix(treeJoints)))
        initial = sim.snapshot()
        torsoRest = sim.bodyPose(t)
        slot = Dictionary(uniqueKeysWithValues: joints.enumerated().map { ($0.element.index, $0.offset) })
    }

    private static func spelled(_ n: Int) -> String {
        let words = [6: "six", 8: "eight"]
        return words[n] ?? String(n)
    }

    /// Restores the start state, sets the torso's pose and velocities, then places the hinge tree
    /// for the given joint angles and rates.
    func place(torso pose: Transform, linearVelocity: Vec3, angularVelocity: Vec3,
               angle: (JointID) -> Double, rate: (JointID) -> Double) throws {
        let sim = simulation
        try sim.restore(initial)
        try sim.setBodyState(torso, pose: pose, linearVelocity: linearVelocity, angularVelocity: angularVelocity)
        try tree.apply(sim, angle: angle, rate: rate)
    }

    /// One control step: the (clipped) action as motor controls for `substeps` physics substeps.
    /// - Returns: the action's squared norm, or nil when the simulation failed (the episode is
    ///   then truncated as diverged by the caller).
    func drive(_ a: [Float], substeps: Int) -> Double? {
        var controls = [Double](repeating: 0, count: a.count)
        var sq = 0.0
        for i in 0..<a.count { let v = Double(a[i]); controls[i] = v; sq += v * v }
        do {
            try simulation.setControls(controls)
            try simulation.step(substeps: substeps)
        } catch {
            return nil
        }
        return sq
    }
}
