import MRCore

/// The MJCF subset: which attributes each element may carry, and which children.
private let schema: [String: (attributes: Set<String>, children: Set<String>)] = [
    "mujoco": (["model"], ["compiler", "option", "default", "worldbody", "actuator", "contact", "equality"]),
    "compiler": (["angle", "coordinate", "inertiafromgeom"], []),
    "option": (["timestep", "gravity"], []),
    "default": ([], ["joint", "geom", "motor", "site"]),
    "worldbody": ([], ["body", "geom", "site"]),
    "body": (["name", "pos", "quat", "euler", "mocap"], ["body", "geom", "joint", "freejoint", "site"]),
    "geom": (["name", "type", "size", "fromto", "pos", "quat", "euler", "density", "mass", "friction", "rgba", "contype", "conaffinity", "margin"], []),
    "joint": (["name", "type", "pos", "axis", "range", "limited", "damping", "stiffness", "springref", "armature"], []),
    "freejoint": (["name"], []),
    "site": (["name", "type", "pos", "size", "rgba"], []),
    "actuator": ([], ["motor"]),
    "motor": (["name", "joint", "gear", "ctrlrange", "ctrllimited"], []),
    "contact": ([], ["exclude"]),
    "exclude": (["body1", "body2"], []),
    "equality": ([], ["weld"]),
    "weld": (["body1", "body2", "solref"], []),
]

/// The largest magnitude of any number in a model file (metres, kilograms, kg/m³, N·m, degrees…):
/// beyond it ODE's arithmetic overflows and the simulation fails inside the engine.
let maxMagnitude = 1e6
/// The range of a rigid body's mass (kg): outside it ODE's solver loses all precision.
let massRange = 1e-6...1e6
/// The smallest size of a geom (m): below it inertias vanish and contacts lose all precision.
let minSize = 1e-4

extension MJCFCompiler {
    func validate(_ n: XMLNode) throws(ModelError) {
        guard let rule = schema[n.name] else {
            throw ModelError(file: n.file, line: n.line, attribute: nil, message: "unknown or unsupported element <\(n.name)>")
        }
        for a in n.attributes where !rule.attributes.contains(a.name) {
            throw ModelError(file: n.file, line: a.line, attribute: a.name, message: "unsupported attribute of <\(n.name)> (outside mrbench's MJCF subset)")
        }
        for c in n.children {
            guard rule.children.contains(c.name) else {
                throw ModelError(file: c.file, line: c.line, attribute: nil, message: schema[c.name] == nil
                    ? "unknown or unsupported element <\(c.name)>" : "<\(c.name)> is not allowed inside <\(n.name)>")
            }
            try validate(c)
        }
    }
}
