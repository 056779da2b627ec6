import MRCore

/// Building: bodies, geoms, joints, sites, actuators, contact exclusions and welds, into a `Simulation`.
extension MJCFCompiler {
    struct BodyInfo {
        let node: XMLNode
        let name: String
        let parent: Int?  // index into bodies; nil = world
        let world: Transform
        var group: Int?  // index into groups; nil = static
        var offset: Transform = .identity  // frame relative to the group's root frame
    }
    struct Group {
        let root: Int  // body index whose frame is the group's model frame
        var kinematic: Bool
        var mass: MassProperties?
        var geoms: [(XMLNode, GeomShape, Transform, Double?)] = []
        var id: BodyID?
    }

    mutating func build() throws -> Model {
        guard root.name == "mujoco" else { throw fail(root, nil, "the root element must be <mujoco>, not <\(root.name)>") }
        try validate(root)
        var timestep = 0.002
        var gravity = Vec3(0, 0, -9.81)
        for c in root.children {
            switch c.name {
            case "compiler":
                if let a = try choice(c, "angle", ["radian", "degree"]) { degrees = a == "degree" }
                _ = try choice(c, "coordinate", ["local"])
                _ = try choice(c, "inertiafromgeom", ["true"])
            case "option":
                if let t = try number(c, "timestep") {
                    guard t > 0 else { throw fail(c, "timestep", "must be > 0") }
                    timestep = t
                }
                if let g = try vec3(c, "gravity") { gravity = g }
            case "default":
                for d in c.children {
                    guard defaults[d.name] == nil else { throw fail(d, nil, "a second default for <\(d.name)>") }
                    defaults[d.name] = d
                }
            default: break
            }
        }
        let sim = try Simulation(parameters: SimulationParameters(timestep: timestep, gravity: gravity))

        // 1. Bodies, their world frames, and rigid groups (a body without joints rides on its parent).
        var bodies: [BodyInfo] = []
        var groups: [Group] = []
        var worldGeoms: [(XMLNode, Transform)] = []
        var sites: [String: (String, Vec3)] = [:]
        guard let worldbody = root.children.first(where: { $0.name == "worldbody" }) else { throw fail(root, nil, "missing <worldbody>") }
        guard root.children.filter({ $0.name == "worldbody" }).count == 1 else { throw fail(root, nil, "more than one <worldbody>") }
        var names = Set<String>()

        func visit(_ n: XMLNode, parent: Int?, parentWorld: Transform) throws {
            let name = n.attribute("name")?.value ?? "body@\(n.file):\(n.line)"
            guard names.insert(name).inserted else { throw fail(n, "name", "duplicate body name '\(name)'") }
            let world = parentWorld.composed(with: try frame(n))
            let jointNodes = n.children.filter { $0.name == "joint" || $0.name == "freejoint" }
            let mocap = try bool(n, "mocap") ?? false
            var info = BodyInfo(node: n, name: name, parent: parent, world: world)
            if mocap {
                guard parent == nil else { throw fail(n, "mocap", "mocap bodies must be children of <worldbody>") }
                guard jointNodes.isEmpty else { throw fail(n, "mocap", "mocap bodies cannot have joints") }
                groups.append(Group(root: bodies.count, kinematic: true))
                info.group = groups.count - 1
            } else if !jointNodes.isEmpty {
                groups.append(Group(root: bodies.count, kinematic: false))
                info.group = groups.count - 1
            } else if let p = parent, let g = bodies[p].group {
                info.group = g
                info.offset = bodies[groups[g].root].world.inverse.composed(with: world)
            } else {
                info.group = nil
                info.offset = world
            }
            let index = bodies.count
            bodies.append(info)
            for c in n.children {
                switch c.name {
                case "geom":
                    let (shape, local) = try geomShape(c)
                    if case .plane = shape { throw fail(c, "type", "planes must be children of <worldbody>") }
                    if let g = info.group {
                        groups[g].geoms.append((c, shape, info.offset.composed(with: local), try number(c, "mass")))
                    } else {
                        worldGeoms.append((c, world.composed(with: local)))
                    }
                case "site":
                    if let sn = c.attribute("name")?.value { sites[sn] = (name, try vec3(c, "pos") ?? .zero) }
                case "body":
                    try visit(c, parent: index, parentWorld: world)
                default: break
                }
            }
        }
        for c in worldbody.children {
            switch c.name {
            case "geom":
                let (_, local) = try geomShape(c)
                worldGeoms.append((c, local))
            case "site":
                if let sn = c.attribute("name")?.value { sites[sn] = ("world", try vec3(c, "pos") ?? .zero) }
            case "body": try visit(c, parent: nil, parentWorld: .identity)
            default: break
            }
        }

        // 2. Simulation bodies (mass from geoms), then geoms.
        for g in groups.indices {
            let rootBody = bodies[groups[g].root]
            if groups[g].kinematic {
                groups[g].id = try sim.addKinematicBody(name: rootBody.name, pose: rootBody.world)
                continue
            }
            var mass: MassProperties?
            for (node, shape, pose, explicitMass) in groups[g].geoms {
                let part: MassProperties
                if let m = explicitMass {
                    guard m >= 0 else { throw fail(node, "mass", "must be ≥ 0") }
                    if m == 0 { continue }
                    part = .shaped(shape, mass: m, pose: pose)
                } else {
                    let density = try number(node, "density") ?? 1000
                    guard density >= 0 else { throw fail(node, "density", "must be ≥ 0") }
                    if density == 0 { continue }
                    part = .solid(shape, density: density, pose: pose)
                }
                mass = mass.map { $0 + part } ?? part
            }
            guard let m = mass, m.isValid else { throw fail(rootBody.node, nil, "body '\(rootBody.name)' has no mass: give it a geom with density or mass") }
            guard massRange.contains(m.mass) else {
                throw fail(rootBody.node, nil, "body '\(rootBody.name)' has a mass of \(m.mass) kg, outside the supported \(massRange.lowerBound)…\(Int(massRange.upperBound)) kg")
            }
            groups[g].id = try sim.addBody(name: rootBody.name, pose: rootBody.world, mass: m)
        }
        var geomIDs: [String: GeomID] = [:]
        func addGeom(_ node: XMLNode, _ shape: GeomShape, body: BodyID?, pose: Transform) throws {
            let friction = try numbers(node, "friction", count: 1...3)?[0] ?? 1
            let contype = try number(node, "contype") ?? 1, conaffinity = try number(node, "conaffinity") ?? 1
            guard contype >= 0, conaffinity >= 0, contype == contype.rounded(), conaffinity == conaffinity.rounded(), contype < 4_294_967_296, conaffinity < 4_294_967_296 else {
                throw fail(node, "contype", "contype and conaffinity must be 32-bit masks")
            }
            let rgba = try numbers(node, "rgba", count: 4...4) ?? [0.5, 0.5, 0.5, 1]
            let margin = try number(node, "margin") ?? 0
            guard margin >= 0 else { throw fail(node, "margin", "margin must be ≥ 0") }
            if case .plane = shape, margin > 0 { throw fail(node, "margin", "a plane takes no margin in the subset (give it to the other geom)") }
            let id = try sim.addGeom(name: node.attribute("name")?.value ?? "", shape, body: body, pose: pose, friction: friction,
                                     filter: CollisionFilter(contype: UInt32(contype), conaffinity: UInt32(conaffinity)),
                                     rgba: (Float(rgba[0]), Float(rgba[1]), Float(rgba[2]), Float(rgba[3])), margin: margin)
            if let n = node.attribute("name")?.value {
                guard geomIDs[n] == nil else { throw fail(node, "name", "duplicate geom name '\(n)'") }
                geomIDs[n] = id
            }
        }
        for (node, pose) in worldGeoms {
            var (shape, _) = try geomShape(node)
            if case .plane = shape { shape = .plane(normal: pose.rotation.rotate(Vec3(0, 0, 1)), offset: pose.rotation.rotate(Vec3(0, 0, 1)).dot(pose.position)) }
            try addGeom(node, shape, body: nil, pose: pose)
        }
        for g in groups { for (node, shape, pose, _) in g.geoms { try addGeom(node, shape, body: g.id, pose: pose) } }

        // 3. Joints in declaration order.
        var jointIDs: [(String, JointID)] = []
        for b in bodies {
            let jointNodes = b.node.children.filter { $0.name == "joint" || $0.name == "freejoint" }
            guard !jointNodes.isEmpty, let g = b.group, let id = groups[g].id else { continue }
            let parentID = b.parent.flatMap { bodies[$0].group }.flatMap { groups[$0].id }
            let kinds = try jointNodes.map { n throws -> String in n.name == "freejoint" ? "free" : (try choice(n, "type", ["hinge", "slide", "free"]) ?? "hinge") }
            if kinds.contains("free") {
                guard jointNodes.count == 1 else { throw fail(jointNodes[0], "type", "a free joint must be the body's only joint") }
                guard b.parent == nil || parentID == nil else { throw fail(jointNodes[0], "type", "free joints are supported on children of <worldbody> only") }
                continue
            }
            if jointNodes.count == 1 {
                let n = jointNodes[0]
                let name = n.attribute("name")?.value ?? "joint@\(n.line)"
                let axis = b.world.rotation.rotate((try vec3(n, "axis") ?? Vec3(0, 0, 1)))
                guard axis.norm > 1e-9 else { throw fail(n, "axis", "axis must be non-zero") }
                var dyn = try dynamics(n, rotational: kinds[0] == "hinge")
                if explicitDamping.contains(name) {
                    guard kinds[0] == "slide" else { throw fail(n, "type", "explicit damping was asked for joint '\(name)', which is not a slide joint") }
                    dyn.explicitDamping = true
                }
                if kinds[0] == "hinge" {
                    let anchor = b.world.apply(try vec3(n, "pos") ?? .zero)
                    if planar == .projection {
                        jointIDs.append((name, try sim.addPlanarHinge(name: name, body: id, parent: parentID, anchor: anchor, axis: axis, dynamics: dyn)))
                    } else {
                        jointIDs.append((name, try sim.addHinge(name: name, body: id, parent: parentID, anchor: anchor, axis: axis, dynamics: dyn)))
                    }
                } else {
                    jointIDs.append((name, try sim.addSlider(name: name, body: id, parent: parentID, axis: axis, dynamics: dyn)))
                }
                continue
            }
            // The planar root: two slides and a hinge whose axis is normal to both (MJCF rootx/rootz/rooty).
            let slides = jointNodes.indices.filter { kinds[$0] == "slide" }, hinges = jointNodes.indices.filter { kinds[$0] == "hinge" }
            let axes = try jointNodes.map { n throws -> Vec3 in b.world.rotation.rotate(try vec3(n, "axis") ?? Vec3(0, 0, 1)).normalized }
            guard slides.count == 2, hinges.count == 1, parentID == nil, b.parent == nil || bodies[b.parent!].group == nil,
                  abs(axes[slides[0]].dot(axes[slides[1]])) < 1e-9,
                  abs(abs(axes[slides[0]].cross(axes[slides[1]]).dot(axes[hinges[0]])) - 1) < 1e-9 else {
                throw fail(jointNodes[1], nil, "unsupported joint combination on body '\(b.name)': one joint, a free joint, or a planar root (two orthogonal slides and a hinge normal to them, under <worldbody>)")
            }
            if let p = try vec3(jointNodes[hinges[0]], "pos"), p != .zero {
                throw fail(jointNodes[hinges[0]], "pos", "the planar root's hinge must sit at the body's origin")
            }
            if planar == .projection {
                try sim.setPlanarProjection(normal: axes[hinges[0]])
            } else {
                try sim.addPlanarConstraint(name: "\(b.name):plane", body: id, normal: axes[hinges[0]])
            }
            for (k, n) in jointNodes.enumerated() {
                let name = n.attribute("name")?.value ?? "joint@\(n.line)"
                let dyn = try dynamics(n, rotational: kinds[k] == "hinge")
                guard dyn.limits == nil else { throw fail(n, "range", "limits on planar root coordinates are not supported") }
                guard dyn.armature == 0 else { throw fail(n, "armature", "armature on planar root coordinates is not supported") }
                jointIDs.append((name, try sim.addPlanarCoordinate(name: name, body: id, axis: axes[k], rotational: kinds[k] == "hinge", dynamics: dyn)))
            }
        }
        guard Set(jointIDs.map { $0.0 }).count == jointIDs.count else { throw fail(root, nil, "duplicate joint names") }
        if let missing = explicitDamping.subtracting(jointIDs.map { $0.0 }).sorted().first {
            throw fail(root, nil, "explicit damping was asked for joint '\(missing)', which the model does not have")
        }

        // 4. Actuators, contact exclusions, welds.
        var actuatorIDs: [(String, ActuatorID)] = []
        for section in root.children where section.name == "actuator" {
            for m in section.children {
                guard let jn = m.attribute("joint")?.value else { throw fail(m, "joint", "a motor needs a joint") }
                guard let j = jointIDs.first(where: { $0.0 == jn })?.1 else { throw fail(m, "joint", "no joint named '\(jn)'") }
                let gear = try numbers(m, "gear", count: 1...6)?[0] ?? 1
                let range = try numbers(m, "ctrlrange", count: 2...2)
                let limited = try bool(m, "ctrllimited") ?? (range != nil)
                var r: ClosedRange<Double> = -1e12...1e12
                if limited {
                    guard let range, range[0] < range[1] else { throw fail(m, "ctrlrange", "a limited motor needs ctrlrange with lower < upper") }
                    r = range[0]...range[1]
                }
                let name = m.attribute("name")?.value ?? jn
                actuatorIDs.append((name, try sim.addMotor(name: name, joint: j, gear: gear, controlRange: r)))
            }
        }
        func groupBody(_ n: XMLNode, _ attr: String) throws -> BodyID? {
            guard let bn = n.attribute(attr)?.value else { throw fail(n, attr, "missing") }
            guard let b = bodies.first(where: { $0.name == bn }) else { throw fail(n, attr, "no body named '\(bn)'") }
            return b.group.flatMap { groups[$0].id }
        }
        for section in root.children where section.name == "contact" {
            for e in section.children {
                let a = try groupBody(e, "body1"), b = try groupBody(e, "body2")
                guard let a, let b else { throw fail(e, "body1", "exclusions need two non-static bodies") }
                if a != b { sim.excludeCollisions(a, b) }
            }
        }
        for section in root.children where section.name == "equality" {
            for w in section.children {
                guard let a = try groupBody(w, "body1"), let b = try groupBody(w, "body2") else { throw fail(w, "body1", "welds need a mocap body and a dynamic body") }
                let solref = try numbers(w, "solref", count: 2...2) ?? [0.02, 1]
                guard solref[0] > 0, solref[1] > 0 else { throw fail(w, "solref", "time constant and damping ratio must be > 0") }
                // MuJoCo's solref is mass-normalised: stiffness 1/(τ²ζ²), damping 2/τ; scale by the welded body's mass.
                let (mocap, dyn) = sim.isKinematic(a) ? (a, b) : (b, a)
                let m = groups.first { $0.id == dyn }?.geoms.isEmpty == false ? try massOf(dyn, groups: groups) : 1
                try sim.addWeld(name: "weld@\(w.line)", mocap: mocap, body: dyn, stiffness: m / (solref[0] * solref[0] * solref[1] * solref[1]), damping: 2 * m / solref[0])
            }
        }
        var frames: [String: (BodyID?, Transform)] = [:]
        for b in bodies { frames[b.name] = (b.group.flatMap { groups[$0].id }, b.offset) }
        frames["world"] = (nil, .identity)
        return Model(simulation: sim, name: root.attribute("model")?.value ?? "", joints: jointIDs, actuators: actuatorIDs,
                     geoms: geomIDs, bodyFrames: frames, sites: sites)
    }

    func massOf(_ id: BodyID, groups: [Group]) throws -> Double {
        guard let g = groups.first(where: { $0.id == id }) else { return 1 }
        var total = 0.0
        for (node, shape, _, explicit) in g.geoms { total += try explicit ?? ((number(node, "density") ?? 1000) * shape.volume) }
        return max(total, 1e-6)
    }

    func dynamics(_ n: XMLNode, rotational: Bool) throws(ModelError) -> JointDynamics {
        var d = JointDynamics()
        d.damping = try number(n, "damping") ?? 0
        d.stiffness = try number(n, "stiffness") ?? 0
        d.armature = try number(n, "armature") ?? 0
        guard d.armature >= 0 else { throw fail(n, "armature", "must be ≥ 0") }
        guard d.damping >= 0 else { throw fail(n, "damping", "must be ≥ 0") }
        guard d.stiffness >= 0 else { throw fail(n, "stiffness", "must be ≥ 0") }
        let ref = try number(n, "springref") ?? 0
        d.springReference = rotational ? angle(ref) : ref
        let range = try numbers(n, "range", count: 2...2)
        if try bool(n, "limited") ?? (range != nil) {
            guard let r = range else { throw fail(n, "limited", "a limited joint needs a range") }
            let lo = rotational ? angle(r[0]) : r[0], hi = rotational ? angle(r[1]) : r[1]
            guard lo < hi else { throw fail(n, "range", "lower limit must be below the upper") }
            if rotational { guard lo >= -Double.pi, hi <= Double.pi else { throw fail(n, "range", "hinge limits must lie within ±180°") } }
            d.limits = lo...hi
        }
        return d
    }

    /// The shape of a geom and its pose in its body's frame.
    func geomShape(_ n: XMLNode) throws(ModelError) -> (GeomShape, Transform) {
        let type = try choice(n, "type", ["plane", "box", "sphere", "capsule", "cylinder"]) ?? "sphere"
        if let ft = try numbers(n, "fromto", count: 6...6) {
            guard type == "capsule" || type == "cylinder" else { throw fail(n, "fromto", "fromto is supported on capsules and cylinders only") }
            if n.attribute("pos") != nil || n.attribute("quat") != nil || n.attribute("euler") != nil { throw fail(n, "fromto", "fromto excludes pos, quat and euler") }
            let a = Vec3(ft[0], ft[1], ft[2]), b = Vec3(ft[3], ft[4], ft[5])
            let len = (b - a).norm
            guard len > 1e-9 else { throw fail(n, "fromto", "the two ends must differ") }
            guard let size = try numbers(n, "size", count: 1...3), size[0] >= minSize else { throw fail(n, "size", "needs a radius ≥ \(minSize) m") }
            let pose = Transform(position: (a + b) / 2, rotation: .between(Vec3(0, 0, 1), (b - a) / len))
            return (type == "capsule" ? .capsule(radius: size[0], halfLength: len / 2) : .cylinder(radius: size[0], halfLength: len / 2), pose)
        }
        let pose = try frame(n)
        let size = try numbers(n, "size", count: 1...3) ?? []
        func need(_ k: Int) throws(ModelError) {
            guard size.count >= k, size.prefix(k).allSatisfy({ $0 >= minSize }) else { throw fail(n, "size", "a \(type) needs \(k) size value(s), each ≥ \(minSize) m") }
        }
        switch type {
        case "plane": return (.plane(normal: Vec3(0, 0, 1), offset: 0), pose)
        case "box": try need(3); return (.box(halfExtents: Vec3(size[0], size[1], size[2])), pose)
        case "sphere": try need(1); return (.sphere(radius: size[0]), pose)
        case "capsule": try need(2); return (.capsule(radius: size[0], halfLength: size[1]), pose)
        default: try need(2); return (.cylinder(radius: size[0], halfLength: size[1]), pose)
        }
    }
}
