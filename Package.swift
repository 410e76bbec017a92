// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "nftctl",
    products: [
        .executable(name: "nftctl", targets: ["nftctl"]),
        .library(name: "NFTables", targets: ["NFTables", "NFTAnalysis"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // SHA-256 for cache and fingerprint keys: a rules file is untrusted, so a key must not
        // be forgeable (a crafted collision would pass one file's cached result off as another's).
        .package(url: "https://github.com/apple/swift-crypto", "3.12.0"..<"5.0.0")
    ],
    targets: [
        // libnftables through pkg-config; Debian's libnftables-dev.
        .systemLibrary(name: "CNFTables", pkgConfig: "libnftables", providers: [.apt(["libnftables-dev"])]),
        // The model and its libnftables JSON codec. Foundation-free: rules files build on it.
        .target(name: "NFTModel"),
        // The DSL, the one module rules files import (it re-exports the model). RulesLoader
        // compiles NFTModel and NFTables from source with the user's swiftc: keep both small.
        .target(name: "NFTables", dependencies: ["NFTModel"]),
        // The nft printer and the analyses (state, normalisation, comparison): the tool's alone.
        .target(name: "NFTAnalysis", dependencies: ["NFTModel"]),
        // Everything that touches the system: backend, sandbox, loaders, validation (and import,
        // which checks each spelling it writes through the DSL itself).
        .target(
            name: "NFTCtlKit",
            dependencies: ["NFTAnalysis", "NFTables", "CNFTables", .product(name: "Crypto", package: "swift-crypto")]),
        // Linked with mimalloc (Debian's libmimalloc-dev), which then serves every allocation
        // in the process, libnftables' and jansson's included: with glibc's allocator a fifth
        // of a 10k-rule apply went to malloc and free (README, Benchmarks).
        .executableTarget(
            name: "nftctl",
            dependencies: ["NFTCtlKit", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            linkerSettings: [.linkedLibrary("mimalloc")]
        ),
        // Writes DSL/DSLFields.swift, DSL/DSLSymbols.swift and import's SymbolNames.swift
        // from NFTSymbols (`swift run generate-dsl`).
        .target(name: "DSLGenerator", dependencies: ["NFTModel"]),
        .executableTarget(name: "generate-dsl", dependencies: ["DSLGenerator"]),
        // Test data shared by both test targets (the nftables corpus reader).
        .target(name: "NFTTestSupport", dependencies: ["NFTModel"], path: "Tests/Support"),
        .testTarget(name: "NFTablesTests", dependencies: ["NFTables", "NFTAnalysis", "NFTTestSupport", "DSLGenerator"]),
        .testTarget(name: "NFTCtlKitTests", dependencies: ["NFTCtlKit", "NFTAnalysis", "NFTTestSupport"], exclude: ["Fixtures"])
    ],
    swiftLanguageModes: [.v6]
)
