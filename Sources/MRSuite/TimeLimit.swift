import MRCore

/// The single owner of the horizon: truncates an episode after `horizon` control steps, refuses a
/// step after the episode ended or before the first reset. Environments never count steps
/// themselves, and nothing else truncates: the episode loop (`EpisodeCursor`), the runner and the
/// C ABI only check that an episode has ended by the horizon (`EnvironmentError.pastHorizon`).
/// Every environment the registry builds (`EnvironmentSpec.make`, `BenchmarkSpec.makeEnvironment`)
/// is wrapped in one, with the benchmark protocol's horizon (tested for every benchmark).
public final class TimeLimit<Base: Environment>: ForwardingEnvironment {
    public typealias Task = Base.Task
    public let base: Base
    public private(set) var elapsed = 0
    private var done = true

    public init(_ base: Base) { self.base = base }

    public func reset(seed: UInt64) -> [Float] {
        elapsed = 0
        done = false
        return base.reset(seed: seed)
    }

    public func step(_ action: [Float]) throws -> StepResult {
        guard !done else { throw elapsed == 0 ? EnvironmentError.stepBeforeReset : EnvironmentError.stepAfterDone }
        var r = try base.step(action)
        elapsed += 1
        if r.status == .running && elapsed >= horizon { r.status = .truncated(.timeLimit) }
        done = r.status.isDone
        return r
    }

    struct State { let base: EnvironmentSnapshot; let elapsed: Int; let done: Bool }

    public func snapshot() -> EnvironmentSnapshot { EnvironmentSnapshot(State(base: base.snapshot(), elapsed: elapsed, done: done)) }

    public func restore(_ snapshot: EnvironmentSnapshot) throws {
        guard let s = snapshot.payload as? State else { throw EnvironmentError.foreignSnapshot }
        try base.restore(s.base)
        elapsed = s.elapsed
        done = s.done
    }
}

/// A `TimeLimit`, whatever it wraps.
protocol TimeLimiting: Environment {}
extension TimeLimit: TimeLimiting {}

/// The horizon of the `TimeLimit` that ends `environment`'s episodes: the environment itself, or
/// one inside forwarding wrappers (`PaddedObservation`); nil when no `TimeLimit` wraps it. Internal:
/// only the tests ask (`SuiteTests`, through `@testable import`).
func timeLimitHorizon(of environment: any Environment) -> Int? {
    if environment is any TimeLimiting { return environment.horizon }
    if let wrapper = environment as? any ForwardingEnvironment { return timeLimitHorizon(of: wrapper.base) }
    return nil
}
