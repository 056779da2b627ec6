import MRCore
import MRPhysics

/// MuJoCo's soft contact on a light object, as ODE's contact ERP and CFM.
///
/// MuJoCo mixes the two geoms' `solref` and `solimp` (their mean when `solmix` is equal) and drives a
/// contact toward a_ref = −b·v − k·r with k = 1/(d²τ²), b = 2/(dτ) (damping ratio 1, d the
/// impedance's `dmax`); solved with impedance d, the force on an object of mass m is
/// m·d/(1 − d)·(k·r + b·v) (at rest: penetration r = (1 − d)/d · F/(m·k)). That is a spring
/// K = m·k·d/(1 − d) with damper C = m·b·d/(1 − d), which ODE takes as ERP = hK/(hK + C) and
/// CFM = 1/(hK + C) at substep h. Because MuJoCo's stiffness scales with the object's mass, a light
/// object is soft under a heavy push: Meta-World's 0.1 kg ball sinks 7.8 mm into the table under
/// the 120 N its closing gripper and descending hand press it with (measured in Meta-World 3.1.1;
/// this mapping predicts 7.9 mm), where ODE's default contact (ERP 0.2, CFM 1e-4: 800 kN/m) gives 0.15 mm.
///
/// MuJoCo's friction is soft the same way: its friction rows have only the damping term, so a
/// contact that transmits a friction force F below the cone creeps at F/C. ODE's force-dependent
/// slip is exactly that (`ContactMaterial.slip` = 1/C). In Meta-World the pads gripping the ball
/// creep down it by about 7 mm while the hand keeps descending; with ODE's rigid Coulomb friction the
/// grip stops the hand where the pads first close.
enum MuJoCoContact {
    /// - Parameters:
    ///   - timeconst: the mixed `solref` time constant τ (s); damping ratio 1.
    ///   - impedance: the mixed `solimp` dmax.
    ///   - mass: the object's mass (kg).
    static func material(timeconst: Double, impedance d: Double, mass: Double, friction: Double,
                         substep h: Double = SawyerRig.timestep) -> ContactMaterial {
        let gain = mass * d / (1 - d)
        let stiffness = gain / (d * d * timeconst * timeconst), damping = gain * 2 / (d * timeconst)
        return ContactMaterial(friction: friction, erp: h * stiffness / (h * stiffness + damping), cfm: 1 / (h * stiffness + damping),
                               slip: 1 / damping)
    }

    /// Sets `material` on every pair of `object` with one of `others` (geom names of the rig's scene).
    static func apply(_ material: ContactMaterial, object: String, others: [String], rig: SawyerRig) throws {
        guard let o = rig.model.geoms[object] else { throw EnvironmentError.invalidTask("scene \(rig.model.name) has no geom '\(object)'") }
        for name in others {
            guard let g = rig.model.geoms[name] else { throw EnvironmentError.invalidTask("scene \(rig.model.name) has no geom '\(name)'") }
            try rig.simulation.setContactMaterial(material, between: o, and: g)
        }
    }
}
