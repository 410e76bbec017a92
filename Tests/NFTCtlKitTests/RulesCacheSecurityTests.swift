import Foundation
import Testing

@testable import NFTCtlKit

/// Root applies what rules programs print, and those programs are compiled as `nobody`:
/// what root runs from the cache must be sealed (root-owned, writable by nobody else), and a
/// cached build that is not sealed is never run.
@Suite(.serialized) struct RulesCacheSecurityTests {
    @Test(.needsRoot) func cachedProgramsAreSealedAndUnsealedOnesAreRebuilt() throws {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("nftctl-seal-\(getpid())").path
        try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        defer { try? FileManager.default.removeItem(atPath: cache) }
        // Through the binary, with its own cache (the environment of this test process is shared).
        let rules = Shell.repositoryRoot.appendingPathComponent("rules/seed-drop.swift").path
        func compile() {
            let r = Shell.run([Shell.nftctl, "compile", rules], environment: ["NFTCTL_CACHE": cache])
            #expect(r.status == 0, "\(r.stderr)")
        }
        compile()
        let entries = try FileManager.default.contentsOfDirectory(atPath: cache)
        let build = try #require(entries.first { $0.hasPrefix("rules-") }, "no rules program in \(entries)")
        let binary = "\(cache)/\(build)/rules"
        func owner(_ p: String) -> (uid: uid_t, mode: mode_t) {
            var st = stat()
            _ = lstat(p, &st)
            return (st.st_uid, st.st_mode)
        }
        for p in [cache, "\(cache)/\(build)", binary] {
            #expect(owner(p).uid == 0, "\(p) is not owned by root")
            #expect(owner(p).mode & 0o022 == 0, "\(p) is writable by others")
        }
        let lib = try #require(entries.first { $0.hasPrefix("lib-") })
        #expect(owner("\(cache)/\(lib)/libNFTables.so").uid == 0)
        // Something running as the unprivileged user takes the program over: it is not run again.
        let nobody = getpwnam("nobody")!.pointee
        chown(binary, nobody.pw_uid, nobody.pw_gid)
        compile()
        #expect(owner(binary).uid == 0, "the tampered program was kept")
    }
}
