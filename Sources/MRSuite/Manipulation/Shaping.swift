import MRCore

#if canImport(Glibc)
import Glibc
#endif

/// Meta-World v2's reward-shaping vocabulary (after dm_control's `rewards.tolerance`, as used by
/// Metaworld's `reward_utils.py` and `SawyerXYZEnv._gripper_caging_reward`), written once and
/// unit-tested against values computed from those formulas.
public enum Shaping {
    /// The sigmoids `tolerance` can fall off with outside its bounds.
    public enum Sigmoid: Sendable {
        /// 1 / ((d·s)² + 1) with s = √(1/v − 1): the "long tail" Meta-World v2 rewards use.
        case longTail
        /// exp(−½ (d·s)²) with s = √(−2 ln v).
        case gaussian
        /// 1 / (|d|·s + 1) with s = 1/v − 1.
        case reciprocal
    }

    /// 1 inside `bounds`, falling with the distance d to the nearest bound (in units of `margin`)
    /// so that it equals `valueAtMargin` at d = 1. With `margin` 0 it is 0 outside the bounds.
    public static func tolerance(_ x: Double, bounds: (Double, Double), margin: Double, sigmoid: Sigmoid = .longTail, valueAtMargin: Double = 0.1) -> Double {
        let (lower, upper) = bounds
        precondition(lower <= upper, "tolerance: lower bound above upper bound")
        if x >= lower && x <= upper { return 1 }
        let m = max(margin, 0)
        if m == 0 { return 0 }
        let d = (x < lower ? lower - x : x - upper) / m
        switch sigmoid {
        case .longTail:
            let s = (1 / valueAtMargin - 1).squareRoot()
            return 1 / ((d * s) * (d * s) + 1)
        case .gaussian:
            let s = (-2 * log(valueAtMargin)).squareRoot()
            return exp(-0.5 * (d * s) * (d * s))
        case .reciprocal:
            let s = 1 / valueAtMargin - 1
            return 1 / (abs(d) * s + 1)
        }
    }

    /// The Hamacher t-norm ab / (a + b − ab) (0 when both are 0); a, b ∈ [0, 1].
    public static func hamacher(_ a: Double, _ b: Double) -> Double {
        let a = min(max(a, 0), 1), b = min(max(b, 0), 1)
        let den = a + b - a * b
        return den > 0 ? min(max(a * b / den, 0), 1) : 0
    }

    /// What the gripper-caging term needs to know about the state.
    public struct CagingInput: Sendable {
        public var leftPadY: Double, rightPadY: Double
        public var tcp: Vec3, initialTcp: Vec3
        public var object: Vec3, initialObject: Vec3
        /// The action's gripper effort (4th component).
        public var effort: Double
        public init(leftPadY: Double, rightPadY: Double, tcp: Vec3, initialTcp: Vec3, object: Vec3, initialObject: Vec3, effort: Double) {
            self.leftPadY = leftPadY; self.rightPadY = rightPadY; self.tcp = tcp; self.initialTcp = initialTcp
            self.object = object; self.initialObject = initialObject; self.effort = effort
        }
    }

    /// How `gripperCaging` blends its parts (Meta-World's `high_density` / `medium_density` flags).
    public enum Density: Sendable { case low, medium, high }

    /// Meta-World's `_gripper_caging_reward`: pads straddling the object in y (Hamacher product of
    /// two long-tail tolerances whose margins grow as the object leaves its start), the tcp near the
    /// object in x–z, and the gripper closing once caged (> 0.97); medium density averages in a
    /// reach term, high density the caging term.
    public static func gripperCaging(_ s: CagingInput, objectRadius: Double, padSuccessThreshold: Double, objectReachRadius: Double,
                                     xzThreshold: Double, desiredEffort: Double = 1, density: Density = .low) -> Double {
        var lr: [Double] = []
        for padY in [s.leftPadY, s.rightPadY] {
            let toObj = abs(padY - s.object.y), toInit = abs(padY - s.initialObject.y)
            let margin = abs(toInit - padSuccessThreshold)
            lr.append(tolerance(toObj, bounds: (objectRadius, padSuccessThreshold), margin: margin))
        }
        let cagingY = hamacher(lr[0], lr[1])
        let xzMargin = ((s.initialObject.x - s.initialTcp.x) * (s.initialObject.x - s.initialTcp.x)
                        + (s.initialObject.z - s.initialTcp.z) * (s.initialObject.z - s.initialTcp.z)).squareRoot() - xzThreshold
        let xzDist = ((s.tcp.x - s.object.x) * (s.tcp.x - s.object.x) + (s.tcp.z - s.object.z) * (s.tcp.z - s.object.z)).squareRoot()
        let cagingXZ = tolerance(xzDist, bounds: (0, xzThreshold), margin: xzMargin)
        let closed = min(max(0, s.effort), desiredEffort) / desiredEffort
        let caging = hamacher(cagingY, cagingXZ)
        let gripping = caging > 0.97 ? closed : 0
        var out = hamacher(caging, gripping)
        switch density {
        case .low: break
        case .high: out = (out + caging) / 2
        case .medium:
            let reachMargin = abs((s.initialObject - s.initialTcp).norm - objectReachRadius)
            let reach = tolerance((s.object - s.tcp).norm, bounds: (0, objectReachRadius), margin: reachMargin)
            out = (out + reach) / 2
        }
        return out
    }

    /// What Meta-World v3's pick-place, sweep and sweep-into compute in their own
    /// `_gripper_caging_reward` overrides (they replace the shared one above).
    public enum LocalCaging: Sendable {
        /// pick-place: (hamacher(caging, gripping) + caging) / 2 with gripping = the clipped
        /// gripper effort once caging > 0.97.
        case effort
        /// sweep (grip margin obj radius + 0.01) and sweep-into (+ 0.005): (caging + gripping) / 2
        /// with gripping = the pads within `gripMargin` of the object in y once caging > 0.95 (the
        /// gripper effort is not used).
        case padsGripping(gripMargin: Double)
    }

    /// The task-local caging term of Meta-World v3's pick-place, sweep and sweep-into: each pad's
    /// signed y distance to the object (left pad − object, object − right pad) within (radius,
    /// 0.05), margins |(|object y − pad y at the start|) − 0.05|; the tcp within `xzThreshold` of the
    /// object in x–z, margin ‖(object − tcp)_xz at the start‖ − `xzThreshold`; caging = their
    /// Hamacher product; combined with gripping as `kind` says.
    public static func localCaging(_ s: CagingInput, initialLeftPadY: Double, initialRightPadY: Double, objectRadius: Double,
                                   xzThreshold: Double, kind: LocalCaging) -> Double {
        let padThreshold = 0.05
        let dRight = s.object.y - s.rightPadY, dLeft = s.leftPadY - s.object.y
        let mRight = abs(abs(s.object.y - initialRightPadY) - padThreshold), mLeft = abs(abs(s.object.y - initialLeftPadY) - padThreshold)
        let cagingY = hamacher(tolerance(dRight, bounds: (objectRadius, padThreshold), margin: mRight),
                               tolerance(dLeft, bounds: (objectRadius, padThreshold), margin: mLeft))
        func xz(_ a: Vec3, _ b: Vec3) -> Double { ((a.x - b.x) * (a.x - b.x) + (a.z - b.z) * (a.z - b.z)).squareRoot() }
        let cagingXZ = tolerance(xz(s.tcp, s.object), bounds: (0, xzThreshold), margin: xz(s.initialObject, s.initialTcp) - xzThreshold)
        let caging = hamacher(cagingY, cagingXZ)
        switch kind {
        case .effort:
            let gripping = caging > 0.97 ? min(max(s.effort, 0), 1) : 0
            return (hamacher(caging, gripping) + caging) / 2
        case let .padsGripping(g):
            let grippingY = hamacher(tolerance(dRight, bounds: (objectRadius, g), margin: mRight),
                                     tolerance(dLeft, bounds: (objectRadius, g), margin: mLeft))
            return (caging + (caging > 0.95 ? grippingY : 0)) / 2
        }
    }
}

