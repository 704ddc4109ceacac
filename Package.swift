// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "Tierline",
  products: [
    .executable(name: "tierline", targets: ["tierline"]),
    .library(name: "TierlineLedger", targets: ["TierlineLedger"]),
  ],
  targets: [
    .systemLibrary(
      name: "CLMDB",
      pkgConfig: "lmdb",
      providers: [.apt(["liblmdb-dev"])]
    ),
    .target(name: "CTierlineCRC"),
    .target(name: "CTierlinePrefetch"),
    .target(name: "CTierlineFiles"),
    .target(name: "CTierlineMemory"),
    .target(name: "TierlineStore", dependencies: ["CLMDB", "CTierlineCRC", "CTierlinePrefetch"]),
    .target(name: "TierlineEvents"),
    .target(name: "TierlinePlaybook", dependencies: ["TierlineEvents"]),
    .target(
      name: "TierlineProjections",
      dependencies: ["TierlineEvents", "TierlinePlaybook"]
    ),
    .target(
      name: "TierlineLedger",
      dependencies: [
        "TierlineStore", "TierlineEvents", "TierlinePlaybook", "TierlineProjections",
        "CTierlinePrefetch", "CTierlineFiles", "CTierlineMemory",
      ]
    ),
    .target(
      name: "TierlineImport",
      dependencies: [
        "TierlineLedger", "TierlineEvents", "TierlinePlaybook", "TierlineProjections",
      ]
    ),
    .target(
      name: "TierlineMetrics",
      dependencies: [
        "TierlineLedger", "TierlineEvents", "TierlinePlaybook", "TierlineProjections",
      ]
    ),
    .executableTarget(
      name: "tierline",
      dependencies: [
        "TierlineLedger", "TierlineEvents", "TierlinePlaybook", "TierlineProjections",
        "TierlineImport", "TierlineMetrics",
      ]
    ),
    .executableTarget(
      name: "tierline-bench",
      dependencies: ["TierlineLedger", "TierlineStore", "TierlineEvents"],
      path: "Sources/TierlineBench"
    ),
    .testTarget(name: "TierlineStoreTests", dependencies: ["TierlineStore"]),
    .testTarget(
      name: "TierlineEventsTests", dependencies: ["TierlineEvents"], exclude: ["Fixtures"]),
    .testTarget(
      name: "TierlineProjectionsTests",
      dependencies: ["TierlineEvents", "TierlinePlaybook", "TierlineProjections"]
    ),
    .testTarget(
      name: "TierlineLedgerTests",
      dependencies: ["TierlineLedger", "TierlinePlaybook", "TierlineProjections"]
    ),
    .testTarget(
      name: "TierlineCLITests",
      dependencies: ["TierlineLedger", "TierlinePlaybook", "TierlineStore"]),
    .testTarget(
      name: "TierlineImportTests",
      dependencies: ["TierlineImport", "TierlineLedger", "TierlineEvents", "TierlinePlaybook"],
      exclude: ["Fixtures"]
    ),
    .testTarget(
      name: "TierlineMetricsTests",
      dependencies: [
        "TierlineMetrics", "TierlineLedger", "TierlineEvents", "TierlinePlaybook",
        "TierlineProjections",
      ]
    ),
  ]
)
