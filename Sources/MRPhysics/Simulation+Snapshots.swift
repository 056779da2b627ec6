import CODE
import MRCore

/// Snapshots: the full dynamic state as a value, captured and restored bit for bit.
extension Simulation {
    /// The full dynamic state of a simulation as a value.
    public struct State: Hashable, Sendable {
        public struct Body: Hashable, Sendable {
            /// `quaternion` is the value that, handed to ODE, reproduces the body's orientation exactly.
            public var position: Vec3, quaternion: Quat, linearVelocity: Vec3, angularVelocity: Vec3
        }
        public var time: Double
        public var bodies: [Body]
        public var controls: [Double]
        public var unwrappedAngles: [Double]
    }

    /// Captures everything that determines the future: every body's ODE state, controls, time.
    public func snapshot() -> State {
        State(time: time, bodies: bodies.indices.map { i in
            let h = bodies[i].handle
            guard let p = dBodyGetPosition(h), let v = dBodyGetLinearVel(h), let w = dBodyGetAngularVel(h) else {
                return State.Body(position: .zero, quaternion: .identity, linearVelocity: .zero, angularVelocity: .zero)
            }
            return State.Body(position: Vec3(p[0], p[1], p[2]), quaternion: preimages[i],
                              linearVelocity: Vec3(v[0], v[1], v[2]), angularVelocity: Vec3(w[0], w[1], w[2]))
        }, controls: controls, unwrappedAngles: unwrapped)
    }

    /// Restores a state captured from this simulation (or one built identically); replays bit-exactly.
    public func restore(_ s: State) throws(PhysicsError) {
        guard s.bodies.count == bodies.count, s.controls.count == controls.count, s.unwrappedAngles.count == unwrapped.count else {
            throw .snapshotMismatch("\(s.bodies.count) bodies / \(s.controls.count) controls, expected \(bodies.count) / \(controls.count)")
        }
        guard s.bodies.allSatisfy({ $0.position.isFinite && $0.linearVelocity.isFinite && $0.angularVelocity.isFinite }) else {
            throw .snapshotMismatch("non-finite body state")
        }
        mr_ode_prepare_thread()
        for (i, b) in s.bodies.enumerated() {
            let rec = bodies[i]
            if !rec.kinematic { dBodyEnable(rec.handle) }
            dBodySetPosition(rec.handle, b.position.x, b.position.y, b.position.z)
            setQuaternion(i, b.quaternion)
            dBodySetLinearVel(rec.handle, b.linearVelocity.x, b.linearVelocity.y, b.linearVelocity.z)
            dBodySetAngularVel(rec.handle, b.angularVelocity.x, b.angularVelocity.y, b.angularVelocity.z)
        }
        controls = s.controls
        unwrapped = s.unwrappedAngles
        time = s.time
    }
}
