import MRCore

/// An environment that wraps another of the same task (`TimeLimit`, `PaddedObservation`) and
/// passes through what it does not change: id, spaces and layout, horizon, timestep, task and
/// maximum body speed. A wrapper declares only what it changes (a stored property wins over these).
/// (Rendering's `EnvironmentWrapper` is the other question, whether to look inside for the scene:
/// only `TimeLimit` answers it.)
public protocol ForwardingEnvironment: Environment where Task == Base.Task {
    associatedtype Base: Environment
    /// The wrapped environment.
    var base: Base { get }
}

extension ForwardingEnvironment {
    public var id: String { base.id }
    public var observationSpace: BoxSpace { base.observationSpace }
    public var observationLayout: ObservationLayout { base.observationLayout }
    public var actionSpace: BoxSpace { base.actionSpace }
    public var horizon: Int { base.horizon }
    public var controlTimestep: Double { base.controlTimestep }
    public var task: Task { base.task }
    public func setTask(_ task: Task) throws { try base.setTask(task) }
    public var maxBodySpeed: Double { base.maxBodySpeed }
}
