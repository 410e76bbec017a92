import Foundation
import Testing

@testable import NFTCtlKit

/// Every rules/ example: check passes, apply works in a namespace, and a diff of the example
/// against what was applied is empty (no false differences after kernel normalisation).
@Suite(.serialized) struct RulesExamplesKernelTests {
    static var examples: [String] {
        let dir = Shell.repositoryRoot.appendingPathComponent("rules")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(".swift") }.sorted().map { dir.appendingPathComponent($0).path }
    }

    @Test func examplesExist() {
        #expect(Self.examples.count >= 5, "rules/ examples missing: \(Self.examples)")
    }

    @Test(.needsRoot, arguments: examples) func exampleChecksAppliesAndDiffsClean(_ path: String) throws {
        let check = Shell.run([Shell.nftctl, "check", path])
        #expect(check.status == 0, "check failed: \(check.stderr)")
        guard let ns = TestNamespace.make("apply and diff \(path)") else { return }
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("nftctl-ex-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: state) }
        let env = ["NFTCTL_STATE_DIR": state]
        let apply = Shell.run([Shell.nftctl, "apply", "--yes", "--netns", ns.name, path], environment: env)
        #expect(apply.status == 0, "apply failed: \(apply.stderr)")
        #expect(!ns.nftList().isEmpty)
        let diff = Shell.run([Shell.nftctl, "diff", "--netns", ns.name, path], environment: env)
        #expect(diff.status == 0, "diff after apply is not empty:\n\(diff.stdout)\(diff.stderr)")
        #expect(diff.stdout.contains("0 to add, 0 to change, 0 to delete."))
    }
}
