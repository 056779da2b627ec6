import Testing

/// The learners' suites, run one after another: OpenBLAS's thread count is process-wide and each
/// trainer sets it around its update, so two trainers iterating at once in this process would
/// change each other's matrix products (and the byte-identity checks would fail by chance).
@Suite("Learners", .serialized)
enum Learners {}
