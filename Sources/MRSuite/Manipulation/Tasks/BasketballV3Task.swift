import MRCore
import MRPhysics

/// `ml10/basketball-v3`: `ml10/basketball-v2` (same scene, goals, reward and expert) with the ball's
/// contacts as soft as Meta-World's, MuJoCo's contact mapped onto ODE (`MuJoCoContact`).
///
/// Meta-World's ball (0.1 kg, `solref` 0.01, `solimp` 0.99 0.99 0.01) mixed with its table and hand
/// (0.02; 0.9 0.95 0.001) gives τ 0.015, dmax 0.97: 15 kN/m, 444 N·s/m (ERP 0.079, CFM 2.1e-3,
/// slip 2.3e-3 m/s per N); with its pads and hoop (0.01; 0.95 0.99 0.01 and 0.99 0.99 0.01) τ 0.01,
/// dmax 0.99: 101 kN/m, 2.0 kN·s/m (ERP 0.11, CFM 4.4e-4, slip 5e-4). v2: ODE's default contact
/// (800 kN/m, 8 kN·s/m, no slip). Why it matters: Meta-World's policy closes the gripper while still
/// descending and lifts only once the hand is within 2.5 cm of the ball's centre + 1 cm. In
/// Meta-World the closing pads press the ball 8 mm into the table and creep down it, and the hand
/// gets to 2.4 cm; in v2 the ball did not give and the grip held the hand at 2.6–2.8 cm on 6 of 40
/// goals, where the policy then pushed the ball along the table for the rest of the episode.
/// Everything but the contacts is `BasketballTask`'s (`SawyerTaskVariant`).
public struct BasketballV3Task: SawyerTaskVariant {
    public static let version = 3

    static let ballMass = 0.1
    /// The ball against the table and the hand's rail and wrist (Meta-World: default geoms).
    static let againstDefault = MuJoCoContact.material(timeconst: 0.015, impedance: 0.97, mass: ballMass, friction: 1)
    /// The ball against the pads (friction 2, Meta-World's and the rig's) and the hoop.
    static let againstPads = MuJoCoContact.material(timeconst: 0.01, impedance: 0.99, mass: ballMass, friction: 2)
    static let againstHoop = MuJoCoContact.material(timeconst: 0.01, impedance: 0.99, mass: ballMass, friction: 1)

    var base: BasketballTask
    public init(rig: SawyerRig) throws {
        base = try BasketballTask(rig: rig)
        try MuJoCoContact.apply(Self.againstDefault, object: "objGeom", others: ["table", "rail", "wrist"], rig: rig)
        try MuJoCoContact.apply(Self.againstPads, object: "objGeom", others: ["rightpad_geom", "leftpad_geom"], rig: rig)
        try MuJoCoContact.apply(Self.againstHoop, object: "objGeom", others: ["pole", "board", "rim_front", "rim_back", "rim_left", "rim_right"], rig: rig)
    }
}
