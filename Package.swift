// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "nftctl",
    products: [
        .executable(name: "nftctl", targets: ["nftctl"]),
        .library(name: "NFTables", targets: ["NFTables"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // libnftables through pkg-config; Debian's libnftables-dev.
        .systemLibrary(name: "CNFTables", pkgConfig: "libnftables", providers: [.apt(["libnftables-dev"])]),
        // The model, JSON codec and nft printer. Foundation-free: rules files import it.
        .target(name: "NFTables"),
        // Everything that touches the system: backend, sandbox, loaders, validation.
        .target(name: "NFTCtlKit", dependencies: ["NFTables", "CNFTables"]),
        .executableTarget(
            name: "nftctl",
            dependencies: ["NFTCtlKit", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Writes DSL/DSLFields.swift and DSL/DSLSymbols.swift (`swift run generate-dsl`).
        .target(name: "DSLGenerator"),
        .executableTarget(name: "generate-dsl", dependencies: ["DSLGenerator"]),
        // Test data shared by both test targets (the nftables corpus reader).
        .target(name: "NFTTestSupport", dependencies: ["NFTables"], path: "Tests/Support"),
        .testTarget(name: "NFTablesTests", dependencies: ["NFTables", "NFTTestSupport", "DSLGenerator"]),
        .testTarget(name: "NFTCtlKitTests", dependencies: ["NFTCtlKit", "NFTables", "NFTTestSupport"], exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v6]
)
