import MRCore
import MRScoring

/// An agent session (an external agent process) driven as a `Policy`, for `mrbench render`.
/// `Policy` methods cannot throw, so the first session error is kept and the policy answers an
/// empty action from then on (the environment refuses it); `mrbench render` reports `error`.
final class SessionPolicy: Policy {
    let session: any AgentSession
    let trial: Trial
    private(set) var error: (any Error)?
    private var phase = EpisodePhase.evaluation
    private var started = false
    private var pending: [Float]?
    private var episode = 0
    private var step = 0

    init(session: any AgentSession, trial: Trial) { self.session = session; self.trial = trial }

    private func attempt<T>(_ body: () throws -> T?) -> T? {
        guard error == nil else { return nil }
        do { return try body() } catch { self.error = error; return nil }
    }

    func beginTrial(seed: UInt64) { _ = attempt { try session.beginTrial(trial, seed: seed) } }

    func beginEpisode(phase: EpisodePhase) {
        self.phase = phase; started = false; pending = nil; step = 0
    }

    func act(_ observation: [Float]) -> [Float] {
        if !started {
            started = true
            return attempt { try session.beginEpisode(phase: phase, index: episode, observation: observation) } ?? []
        }
        return pending ?? []
    }

    func observe(_ transition: Transition) {
        // Steps are numbered from 0 within an episode, as in `evaluate` (docs/agent-protocol.md).
        pending = attempt { try session.observe(transition, step: step) }
        step += 1
        if transition.status.isDone { episode += 1 }
    }
}
