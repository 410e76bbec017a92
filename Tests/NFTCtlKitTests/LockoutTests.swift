import Foundation
import Testing

@testable import NFTCtlKit

/// The SSH lockout check traces the session's own packets through the new rules.
struct LockoutTests {
    @Test func sessionPacketsFromSSHConnection() {
        let p = LockoutCheck.packets(sshConnection: "10.0.0.5 51000 10.0.0.1 22")
        #expect(
            p == [
                "tcp 10.0.0.5:51000 -> 10.0.0.1:22 state established",
                "tcp 10.0.0.1:22 -> 10.0.0.5:51000 hook output state established",
                "tcp 10.0.0.5:40000 -> 10.0.0.1:22 state new"
            ])
        #expect(LockoutCheck.packets(sshConnection: "garbage") == nil)
        #expect(
            LockoutCheck.packets(sshConnection: "2001:db8::5 51000 2001:db8::1 22")?.first
                == "tcp [2001:db8::5]:51000 -> [2001:db8::1]:22 state established")
    }

    @Test func adminKeepsAccessOutsiderCannotReconnect() throws {
        let input = try InputLoader.load(KernelApplyTests.fixture("edge.nft"))
        #expect(LockoutCheck.findings(state: input.state, sshConnection: "10.0.0.5 51000 10.0.0.1 22").isEmpty)
        let outsider = LockoutCheck.findings(state: input.state, sshConnection: "198.51.100.9 51000 10.0.0.1 22")
        #expect(outsider.count == 1, "\(outsider)")
        #expect(outsider.first?.verdict == .drop)
        #expect(outsider.first?.packet.contains("state new") == true)
    }

    @Test(.needsRoot) func applyRefusesUnlessForced() throws {
        guard let ns = TestNamespace.make("apply refuses a lockout") else { return }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nftctl-lock-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let env = ["SSH_CONNECTION": "198.51.100.9 51000 10.0.0.1 22", "NFTCTL_LOCKOUT_CHECK": "always", "NFTCTL_STATE_DIR": dir]
        let refused = Shell.run(
            [Shell.nftctl, "apply", "--yes", "--netns", ns.name, KernelApplyTests.fixture("edge.nft")], environment: env)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("refusing to apply"), "\(refused.stderr)")
        #expect(ns.nftList().isEmpty, "nothing may be applied when refused")
        let forced = Shell.run(
            [Shell.nftctl, "apply", "--yes", "--force", "--netns", ns.name, KernelApplyTests.fixture("edge.nft")],
            environment: env)
        #expect(forced.status == 0, "\(forced.stderr)")
    }
}
