import MRCore

/// The `ml10/*` environments and the ML10 / ML1 benchmarks.
public enum ManipulationFamilies {
    public static let specs: [EnvironmentSpec] = [
        SawyerEnvironment<ReachTask>.spec,
    ]
}
