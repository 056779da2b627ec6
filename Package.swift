// swift-tools-version: 6.0
import PackageDescription

// MARK: - Shared settings

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
]

/// The neural core and the learners are compiled with optimisation in debug builds too: `swift
/// test` trains smoke configs, and unoptimised tensor kernels and tapes run about 20× slower.
let optimizedSwiftSettings: [SwiftSetting] = swiftSettings + [
    .unsafeFlags(["-O"], .when(configuration: .debug)),
]

let package = Package(
    name: "mrbench",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "mrbench", targets: ["mrbench"]),
        .library(name: "MRCore", targets: ["MRCore"]),
        .library(name: "MRSuite", targets: ["MRSuite"]),
        .library(name: "MRScoring", targets: ["MRScoring"]),
        .library(name: "MRNeural", targets: ["MRNeural"]),
        .library(name: "MRAgents", targets: ["MRAgents"]),
        // The environments over a C ABI (Sources/MRBenchC/mrbench.h), for the Python package.
        .library(name: "MRBenchC", type: .dynamic, targets: ["MRBenchC"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // MARK: - C libraries
        // ODE plus a small C shim: message/error handlers (they take a va_list), one-time and
        // per-thread initialisation, and a setjmp guard around stepping so an ODE error becomes a
        // Swift error instead of aborting the process.
        .target(
            name: "CODE",
            path: "Sources/CODE",
            linkerSettings: [.linkedLibrary("ode")]
        ),
        // prctl(2) with fixed signatures (it is variadic): the agent supervisor's parent-death signal.
        .target(name: "CProcessControl", path: "Sources/CProcessControl"),
        .systemLibrary(
            name: "COpenBLAS",
            path: "Sources/COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .systemLibrary(
            name: "CPNG",
            path: "Sources/CPNG",
            pkgConfig: "libpng",
            providers: [.apt(["libpng-dev"])]
        ),

        // MARK: - Modules
        .target(name: "MRCore", exclude: ["README.md"], swiftSettings: swiftSettings),
        .target(name: "MRPhysics", dependencies: ["MRCore", "CODE"], exclude: ["README.md"], swiftSettings: swiftSettings),
        .target(name: "MRRender", dependencies: ["MRCore", "CPNG"], exclude: ["README.md"], swiftSettings: swiftSettings),
        .target(name: "MRSuite", dependencies: ["MRCore", "MRPhysics", "MRRender"], exclude: ["README.md"], swiftSettings: swiftSettings),
        .target(name: "MRNeural", dependencies: ["MRCore", "COpenBLAS"], exclude: ["README.md"], swiftSettings: optimizedSwiftSettings),
        .target(name: "MRScoring", dependencies: ["MRCore"], exclude: ["README.md"], swiftSettings: swiftSettings),
        // Baselines and their training (AGENTS.md): never imports MRPhysics, MRSuite or MRScoring.
        .target(name: "MRAgents", dependencies: ["MRCore", "MRNeural"], exclude: ["README.md"], swiftSettings: optimizedSwiftSettings),

        // The C ABI over the environments and benchmarks' train splits (python/ loads it). An
        // environment front end like the CLI: it imports MRSuite, never MRAgents or MRScoring.
        .target(name: "MRBenchC", dependencies: ["MRCore", "MRSuite"], exclude: ["mrbench.h", "README.md"], swiftSettings: swiftSettings),

        // MARK: - Executable
        .executableTarget(
            name: "mrbench",
            dependencies: [
                "MRCore", "MRRender", "MRSuite", "MRScoring", "MRNeural", "MRAgents", "CProcessControl",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),

        // Times a SAC-style and a PPO/GRU-style update of the neural core (see Sources/MRNeuralBench/README.md).
        .executableTarget(
            name: "MRNeuralBench",
            dependencies: ["MRNeural"],
            exclude: ["torch_bench.py", "README.md"],
            swiftSettings: swiftSettings
        ),

        // The mrbench side of the fidelity comparison with Gymnasium (tools/fidelity/README.md).
        .executableTarget(
            name: "LocoFidelity",
            dependencies: ["MRCore", "MRSuite"],
            path: "tools/fidelity/LocoFidelity",
            swiftSettings: swiftSettings
        ),

        // MARK: - Test support and tests
        .target(name: "_MRTestSupport", dependencies: ["MRCore", "MRSuite"], swiftSettings: swiftSettings),
        // The finite-difference gradient checkers (MRNeural's tests and the learners' tests).
        .target(name: "_MRNeuralTestSupport", dependencies: ["MRCore", "MRNeural"], swiftSettings: swiftSettings),
        .testTarget(name: "MRCoreTests", dependencies: ["MRCore"], swiftSettings: swiftSettings),
        .testTarget(name: "MRPhysicsTests", dependencies: ["MRPhysics", "_MRTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "MRSuiteTests", dependencies: ["MRSuite", "_MRTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "MRScoringTests", dependencies: ["MRScoring"], swiftSettings: swiftSettings),
        .testTarget(name: "MRNeuralTests", dependencies: ["MRNeural", "_MRNeuralTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "MRAgentsTests", dependencies: ["MRAgents", "MRSuite", "_MRTestSupport", "_MRNeuralTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "MRRenderTests", dependencies: ["MRRender"], exclude: ["Golden"], swiftSettings: swiftSettings),
        .testTarget(name: "MRBenchCTests", dependencies: ["MRBenchC", "MRCore", "MRSuite"], swiftSettings: swiftSettings),
        .testTarget(name: "mrbenchTests", dependencies: ["mrbench"], swiftSettings: swiftSettings),
    ]
)
