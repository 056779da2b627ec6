import MRCore

/// An environment whose observations are laid out in a larger, shared layout: each segment of the
/// base environment's layout is copied to the segment of the same name in `layout`, and segments
/// the base does not have are zeros (their bounds in the observation space are [0, 0]).
///
/// A benchmark that mixes environments of different observation sizes uses it so that it has one
/// observation space, as Meta-World's 39 dimensions do (`fetch-zones-v1`: reach's 16 dimensions
/// padded to push's 31, with the object fields zero).
public final class PaddedObservation<Base: Environment>: ForwardingEnvironment {
    public typealias Task = Base.Task
    public let base: Base
    public let observationLayout: ObservationLayout
    public let observationSpace: BoxSpace
    /// (base range, target start) of every copied segment.
    private let copies: [(Range<Int>, Int)]

    /// - Throws: `EnvironmentError.invalidTask` if a base segment is missing from `layout` or differs in size.
    public init(_ base: Base, layout: ObservationLayout) throws {
        self.base = base
        self.observationLayout = layout
        var copies: [(Range<Int>, Int)] = []
        var low = [Float](repeating: 0, count: layout.count), high = low
        for s in base.observationLayout.segments {
            guard let r = layout.range(of: s.name), r.count == s.count else {
                throw EnvironmentError.invalidTask("\(base.id): observation segment '\(s.name)' (\(s.count)) has no segment of that name and size in the padded layout")
            }
            copies.append((s.range, r.lowerBound))
            for k in 0..<s.count {
                low[r.lowerBound + k] = base.observationSpace.low[s.start + k]
                high[r.lowerBound + k] = base.observationSpace.high[s.start + k]
            }
        }
        self.copies = copies
        observationSpace = BoxSpace(low: low, high: high)
    }

    func pad(_ o: [Float]) -> [Float] {
        var out = [Float](repeating: 0, count: observationLayout.count)
        for (r, at) in copies { for k in r { out[at + k - r.lowerBound] = o[k] } }
        return out
    }

    public func reset(seed: UInt64) -> [Float] { pad(base.reset(seed: seed)) }

    public func step(_ action: [Float]) throws -> StepResult {
        var r = try base.step(action)
        r.observation = pad(r.observation)
        return r
    }

    public func snapshot() -> EnvironmentSnapshot { base.snapshot() }
    public func restore(_ snapshot: EnvironmentSnapshot) throws { try base.restore(snapshot) }
}

/// `env` with its observations padded to `layout` (see `PaddedObservation`).
public func padObservations<E: Environment>(_ env: E, to layout: ObservationLayout) throws -> any Environment {
    try PaddedObservation(env, layout: layout)
}
