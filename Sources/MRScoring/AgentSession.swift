import Foundation
import MRCore

/// The runner's view of an agent for one worker thread: trials, episodes, one action per step.
/// Built-in meta-learners, privileged experts and external processes all meet it.
public protocol AgentSession: AnyObject {
    /// A new trial begins: the agent must forget the previous task.
    func beginTrial(_ trial: Trial, seed: UInt64) throws
    /// An episode begins with `observation`; returns the first action.
    func beginEpisode(phase: EpisodePhase, index: Int, observation: [Float]) throws -> [Float]
    /// The result of the last action. Returns the next action while the episode runs, nil once it is over.
    func observe(_ transition: Transition, step: Int) throws -> [Float]?
    /// The adaptation episodes are over.
    func adapt() throws
    /// The trial is over.
    func endTrial() throws
    /// The evaluation is over (or stopped): release processes and files.
    func close()
}

/// A `MetaLearner` as a session: exploration policy for the adaptation episodes, `adapt`, then
/// the adapted policy for the evaluation episodes.
public final class MetaLearnerSession: AgentSession {
    let learner: any MetaLearner
    let context: AgentContext
    var policy: (any Policy)?
    var episodes: [Episode] = []
    var current = Episode()
    var recording = false

    public init(_ learner: any MetaLearner, context: AgentContext) { self.learner = learner; self.context = context }

    public func beginTrial(_ trial: Trial, seed: UInt64) throws {
        let p = try learner.explorationPolicy(context: context, seed: seed)
        p.beginTrial(seed: seed)
        policy = p
        episodes = []
    }

    public func beginEpisode(phase: EpisodePhase, index: Int, observation: [Float]) throws -> [Float] {
        current = Episode()
        recording = phase == .adaptation
        policy!.beginEpisode(phase: phase)
        return policy!.act(observation)
    }

    public func observe(_ t: Transition, step: Int) throws -> [Float]? {
        policy!.observe(t)
        // Only the adaptation episodes are handed to `adapt`; evaluation transitions are not kept.
        if recording { current.transitions.append(t) }
        if t.status.isDone { if recording { episodes.append(current) }; return nil }
        return policy!.act(t.nextObservation)
    }

    public func adapt() throws { policy = try learner.adapt(policy!, episodes: episodes) }
    public func endTrial() throws { policy = nil; episodes = [] }
    public func close() {}
}

/// A privileged policy made per trial (the scripted experts: they know the goal).
public final class PrivilegedSession: AgentSession {
    let make: (Trial) throws -> any Policy
    var policy: (any Policy)?

    public init(_ make: @escaping (Trial) throws -> any Policy) { self.make = make }

    public func beginTrial(_ trial: Trial, seed: UInt64) throws {
        let p = try make(trial)
        p.beginTrial(seed: seed)
        policy = p
    }
    public func beginEpisode(phase: EpisodePhase, index: Int, observation: [Float]) throws -> [Float] {
        policy!.beginEpisode(phase: phase)
        return policy!.act(observation)
    }
    public func observe(_ t: Transition, step: Int) throws -> [Float]? {
        policy!.observe(t)
        return t.status.isDone ? nil : policy!.act(t.nextObservation)
    }
    public func adapt() throws {}
    public func endTrial() throws { policy = nil }
    public func close() {}
}
