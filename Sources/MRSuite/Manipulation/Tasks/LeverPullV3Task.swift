import MRCore
import MRPhysics

/// `ml10/lever-pull-v3`: `ml10/lever-pull-v2` (same goals, reward, success and expert) with
/// Meta-World's lever (`models/ml10_lever_pull_v3.xml`): the arm weighs 4 g (v2: 0.16 kg) and its
/// hinge has damping 2 N·m·s/rad and armature 0.001 kg·m² (v2: damping 0.05, none); and the ball on
/// the arm's end touches the hand as softly as Meta-World's (its `solref` 0.01, `solimp` 0.99 0.99
/// 0.01, mapped onto ODE by `MuJoCoContact` with the lever's effective mass at the ball). The grip
/// bar (our expert's) keeps ODE's default contact.
///
/// Why it matters: Meta-World's policy comes up under the ball 5.5 cm in front of it and pushes
/// forward and 2 cm up; in Meta-World the ball rides up on the top front edge of the hand, and the
/// lever barely weighs anything. On v2's 0.16 kg arm (1.1 N at the end) the hand, which meets the
/// ball with the side of its round wrist, pushed it straight back and swung sideways off it on 15 of
/// 40 goals; with Meta-World's lever alone, on 3; with the soft ball too, on none.
/// Everything but the scene and the ball's contacts is `LeverPullTask`'s (`SawyerTaskVariant`).
public struct LeverPullV3Task: SawyerTaskVariant {
    public static let version = 3
    public static let scene = "models/ml10_lever_pull_v3.xml"

    var base: LeverPullTask
    /// The lever's effective mass at the ball, for the arm's turning: (armature 0.001 + the arm's
    /// 1.3e-4 kg·m²) / (0.2 m)².
    static let ballMass = 0.028
    /// The ball against the hand's rail and wrist (Meta-World: the hand's default geoms; τ 0.015,
    /// dmax 0.97): 4.3 kN/m, 124 N·s/m, slip 8e-3 m/s per N.
    static let againstHand = MuJoCoContact.material(timeconst: 0.015, impedance: 0.97, mass: ballMass, friction: 1)
    /// The ball against the pads (friction 2; τ 0.01, dmax 0.99): 28 kN/m, 560 N·s/m.
    static let againstPads = MuJoCoContact.material(timeconst: 0.01, impedance: 0.99, mass: ballMass, friction: 2)
    public init(rig: SawyerRig) throws {
        base = try LeverPullTask(rig: rig)
        try MuJoCoContact.apply(Self.againstHand, object: "objBall", others: ["rail", "wrist"], rig: rig)
        try MuJoCoContact.apply(Self.againstPads, object: "objBall", others: ["rightpad_geom", "leftpad_geom"], rig: rig)
    }
}
