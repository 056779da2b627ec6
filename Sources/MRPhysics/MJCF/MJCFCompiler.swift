import MRCore

/// Turns a validated MJCF tree into a `Simulation`.
struct MJCFCompiler {
    let root: XMLNode
    var degrees = true  // MuJoCo's default compiler angle unit
    var defaults: [String: XMLNode] = [:]
    var planar: PlanarScheme = .constraintRows
    var explicitDamping: Set<String> = []

    init(root: XMLNode) { self.root = root }

    // MARK: attribute parsing

    func fail(_ n: XMLNode, _ attr: String?, _ message: String) -> ModelError {
        ModelError(file: n.file, line: n.attribute(attr ?? "")?.line ?? n.line, attribute: attr, message: message)
    }

    /// The attribute of the element, else of the `<default>` for its kind.
    func raw(_ n: XMLNode, _ a: String) -> (XMLNode, XMLNode.Attribute)? {
        if let v = n.attribute(a) { return (n, v) }
        if let d = defaults[n.name], let v = d.attribute(a) { return (d, v) }
        return nil
    }

    func numbers(_ n: XMLNode, _ a: String, count: ClosedRange<Int>) throws(ModelError) -> [Double]? {
        guard let (owner, attr) = raw(n, a) else { return nil }
        let parts = attr.value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
        var out: [Double] = []
        for p in parts {
            guard let v = Double(p), v.isFinite else {
                throw ModelError(file: owner.file, line: attr.line, attribute: a, message: "'\(p)' is not a finite number")
            }
            guard abs(v) <= maxMagnitude else {
                throw ModelError(file: owner.file, line: attr.line, attribute: a, message: "\(p) is outside the supported range ±\(Int(maxMagnitude))")
            }
            out.append(v)
        }
        guard count.contains(out.count) else {
            let want = count.lowerBound == count.upperBound ? "\(count.lowerBound)" : "\(count.lowerBound) to \(count.upperBound)"
            throw ModelError(file: owner.file, line: attr.line, attribute: a, message: "expected \(want) numbers, got \(out.count)")
        }
        return out
    }

    func number(_ n: XMLNode, _ a: String) throws(ModelError) -> Double? { try numbers(n, a, count: 1...1)?[0] }

    func vec3(_ n: XMLNode, _ a: String) throws(ModelError) -> Vec3? {
        guard let v = try numbers(n, a, count: 3...3) else { return nil }
        return Vec3(v[0], v[1], v[2])
    }

    func string(_ n: XMLNode, _ a: String) -> String? { raw(n, a)?.1.value }

    func choice(_ n: XMLNode, _ a: String, _ allowed: [String]) throws(ModelError) -> String? {
        guard let (owner, attr) = raw(n, a) else { return nil }
        guard allowed.contains(attr.value) else {
            throw ModelError(file: owner.file, line: attr.line, attribute: a, message: "'\(attr.value)' is not one of \(allowed.joined(separator: ", "))")
        }
        return attr.value
    }

    func bool(_ n: XMLNode, _ a: String) throws(ModelError) -> Bool? {
        guard let v = try choice(n, a, ["true", "false", "auto"]) else { return nil }
        return v == "auto" ? nil : v == "true"
    }

    func angle(_ v: Double) -> Double { degrees ? v * .pi / 180 : v }

    /// pos / quat / euler of an element, as a transform in its parent's frame.
    func frame(_ n: XMLNode) throws(ModelError) -> Transform {
        let pos = try vec3(n, "pos") ?? .zero
        if n.attribute("quat") != nil && n.attribute("euler") != nil { throw fail(n, "euler", "give either quat or euler, not both") }
        var rot = Quat.identity
        if let q = try numbers(n, "quat", count: 4...4) {
            let quat = Quat(w: q[0], x: q[1], y: q[2], z: q[3])
            guard quat.norm > 1e-9 else { throw fail(n, "quat", "quaternion must be non-zero") }
            rot = quat.normalized
        } else if let e = try vec3(n, "euler") {
            rot = Quat(eulerXYZ: Vec3(angle(e.x), angle(e.y), angle(e.z)))
        }
        return Transform(position: pos, rotation: rot)
    }
}
