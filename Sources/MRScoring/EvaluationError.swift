import Foundation
import MRCore

/// Errors of an evaluation. Agent failures name the trial, phase, episode and step.
public enum EvaluationError: Error, CustomStringConvertible, Sendable {
    case invalid(String)
    case agent(String)
    case environment(String)
    case interrupted

    public var description: String {
        switch self {
        case let .invalid(m): return m
        case let .agent(m): return "agent error: \(m)"
        case let .environment(m): return "environment error: \(m)"
        case .interrupted: return "interrupted"
        }
    }

    /// Whether the evaluation stopped on an interrupt (Ctrl-C) rather than a failure.
    public var isInterrupt: Bool { if case .interrupted = self { return true }; return false }
}

/// An error raised by an agent session; the runner adds where it happened.
public struct AgentFailure: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
