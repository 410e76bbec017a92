import Foundation
import NFTAnalysis

/// The SwiftPM side of a rules directory: `Package.swift` makes the directory a package whose
/// one target (the rules files) depends on the DSL's sources, so `swift build` there
/// type-checks the rules and SourceKit-LSP completes them in any editor. SwiftPM keeps a
/// target's sources inside the package, so the DSL is reached through a link,
/// `.nftctl-dsl`, to the sources nftctl itself compiles rules against (`NFTCTL_DSL_SOURCES`,
/// the checkout, or the installed `share/nftctl`). nftctl leaves out `Package.swift` and
/// hidden folders when it reads the directory (`RulesLoader.userFiles`).
enum InitPackage {
    static let manifestFile = "Package.swift"
    static let dslLink = ".nftctl-dsl"

    static let manifest = """
        // swift-tools-version:5.9
        // For editors and `swift build` only: nftctl reads the rules files itself and ignores
        // this file. The DSL comes through .nftctl-dsl, a link `nftctl init` made to the sources
        // nftctl compiles rules against; if nftctl moves, relink it:
        //   ln -sfn /usr/local/share/nftctl .nftctl-dsl
        import PackageDescription

        let package = Package(
            name: "rules",
            targets: [
                .target(name: "NFTModel", path: ".nftctl-dsl/NFTModel"),
                .target(name: "NFTables", dependencies: ["NFTModel"], path: ".nftctl-dsl/NFTables"),
                .target(name: "Rules", dependencies: ["NFTables"], path: ".", exclude: ["firewall.tests"]),
            ]
        )

        """

    /// Where the link will point: found before anything is written, so a missing DSL stops
    /// init with nothing half-done.
    static func dslTarget() throws -> String { try RulesToolchain.dslSources() }

    /// Points `dir/.nftctl-dsl` at `target`, unless something is there already.
    static func link(in dir: String, to target: String) throws {
        let path = "\(dir)/\(dslLink)"
        if (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) != nil || FileManager.default.fileExists(atPath: path) {
            return
        }
        let absolute = URL(fileURLWithPath: target).standardizedFileURL.path
        guard symlink(absolute, path) == 0 else {
            throw Problem("cannot link to \(absolute): \(String(cString: strerror(errno)))", file: path)
        }
    }
}
