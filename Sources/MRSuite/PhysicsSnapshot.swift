import MRCore
import MRPhysics

/// The snapshot of a physics environment: its simulation's state plus the environment's own
/// episode memory (task, previous observation…), tagged with the environment's type so that
/// another kind of environment refuses it.
struct PhysicsSnapshot<Memory> {
    let owner: ObjectIdentifier
    let simulation: Simulation.State
    let memory: Memory
}

extension PhysicsEnvironment {
    /// A snapshot of the simulation and `memory`.
    func physicsSnapshot<Memory>(_ memory: Memory) -> EnvironmentSnapshot {
        EnvironmentSnapshot(PhysicsSnapshot(owner: ObjectIdentifier(Self.self), simulation: simulation.snapshot(), memory: memory))
    }

    /// Restores the simulation from a snapshot made by `physicsSnapshot` and returns its memory.
    /// - Throws: `EnvironmentError.foreignSnapshot` for a snapshot of another kind of environment.
    func restorePhysics<Memory>(_ snapshot: EnvironmentSnapshot, as: Memory.Type) throws -> Memory {
        guard let s = snapshot.payload as? PhysicsSnapshot<Memory>, s.owner == ObjectIdentifier(Self.self) else {
            throw EnvironmentError.foreignSnapshot
        }
        try simulation.restore(s.simulation)
        return s.memory
    }
}
