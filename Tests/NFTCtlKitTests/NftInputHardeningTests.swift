import Foundation
import Testing

/// `.nft` input through the real binary: limits that keep libnftables' scanner linear, and
/// includes that cannot read what the user may not or print what lies outside the rules
/// file's directory (the trust issue's `incshadow.nft`, `include "/etc/shadow"`).
@Suite(.serialized) struct NftInputHardeningTests {
    /// A fresh 0755 directory: `rules/` for the rules file, `outside/` beside it.
    final class Scratch {
        let root: String
        var rules: String { root + "/rules" }
        var outside: String { root + "/outside" }
        init() throws {
            root =
                FileManager.default.temporaryDirectory.appendingPathComponent(
                    "nftctl-nftin-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
                ).path
            for d in [root, root + "/rules", root + "/outside"] {
                try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
                chmod(d, 0o755)
            }
        }
        deinit { try? FileManager.default.removeItem(atPath: root) }

        @discardableResult
        func write(_ path: String, _ text: String, mode: mode_t = 0o644) throws -> String {
            try text.write(toFile: path, atomically: false, encoding: .utf8)
            chmod(path, mode)
            return path
        }
    }

    /// `nftctl check FILE` under `timeout`, so input that hangs libnftables fails instead of hanging the suite.
    /// `executable`: another copy of nftctl (one nobody can reach wherever the checkout is).
    static func check(
        _ file: String, command: String = "check", environment: [String: String]? = nil, directory: String? = nil,
        asNobody: Bool = false, executable: String = Shell.nftctl
    ) -> Shell.Result {
        var args = ["timeout", "120", executable, command, file]
        if asNobody { args = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] + args }
        var env = environment ?? [:]
        env["NFTCTL_EXECUTABLE"] = executable
        return Shell.run(args, environment: env, directory: directory)
    }

    static func expectRefused(
        _ r: Shell.Result, naming file: String, _ needle: String,
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) {
        #expect(r.status == 1, "exit \(r.status): \(r.stderr.prefix(2000))", sourceLocation: sourceLocation)
        #expect(r.stderr.contains(file), "the error does not name \(file): \(r.stderr.prefix(2000))", sourceLocation: sourceLocation)
        #expect(r.stderr.contains(needle), "expected '\(needle)' in: \(r.stderr.prefix(2000))", sourceLocation: sourceLocation)
    }

    // MARK: - Limits

    /// One 1 MiB comment line: quadratic in libnftables' scanner (seconds per MiB, growing
    /// fourfold per doubling); refused up front with the file and line, without echoing it.
    @Test func overlongTokenIsRefusedWithFileAndLine() throws {
        let s = try Scratch()
        let path = try s.write(
            s.rules + "/long.nft",
            "table ip t {\n\tchain c { type filter hook input priority 0; }\n}\n# " + String(repeating: "x", count: 1 << 20) + "\n")
        let r = Self.check(path)
        Self.expectRefused(r, naming: path + ":4:", "longer than")
        #expect(r.stderr.utf8.count < 4096, "the error echoes the long line: \(r.stderr.utf8.count) bytes")
    }

    /// A table with flag owner would load and then be gone (the kernel deletes it when the
    /// process that made it exits), so the listing nftctl reads it back from would not have
    /// it: refused at its line, saying why, rather than "declares no tables". `owner` as
    /// anything but a flag is no flag; a set's flags are not a table's.
    @Test func aTableWithFlagOwnerIsRefusedAtItsLine() throws {
        let s = try Scratch()
        for (text, line) in [
            ("table inet t {\n\tflags owner\n\tchain c {\n\t\taccept\n\t}\n}\n", 2),
            ("table inet t {\n\tchain c {\n\t\taccept\n\t}\n}\nadd table inet u { flags dormant, owner; }\n", 6)
        ] {
            let path = try s.write(s.rules + "/owner-\(line).nft", text)
            Self.expectRefused(Self.check(path), naming: "\(path):\(line):", "table flag owner")
        }
        let fine = try s.write(
            s.rules + "/not-owner.nft",
            "table inet t {\n\tset owner {\n\t\ttype ipv4_addr\n\t\tflags interval\n\t}\n\tchain c {\n\t\tip saddr @owner accept comment \"flags owner\"\n\t}\n}\n"
        )
        #expect(!Self.check(fine).stderr.contains("flag owner"))
    }

    /// A long line of short tokens is ordinary nft (a generated set on one line) and loads.
    @Test(
        .enabled(
            if: TestNamespace.isRoot || Shell.run(["unshare", "--user", "--map-root-user", "--net", "true"]).status == 0,
            "needs root or user namespaces: the .nft parser runs in a namespace"))
    func longLineOfShortTokensLoads() throws {
        let s = try Scratch()
        let elements = (0..<20_000).map { "10.\($0 >> 16).\(($0 >> 8) & 255).\($0 & 255)" }.joined(separator: ",")
        let path = try s.write(
            s.rules + "/oneline.nft",
            "table ip t { set s { type ipv4_addr; elements = { \(elements) }; }; }\n")
        let r = Self.check(path)
        #expect(r.status == 0, "exit \(r.status): \(r.stderr.prefix(2000))")
    }

    /// An error at the end of a long line: libnftables echoes the line and a caret line as
    /// wide as the column; nftctl prints a short excerpt, still naming file, line and column.
    @Test func errorInALongLinePrintsAShortExcerpt() throws {
        let s = try Scratch()
        let elements = (0..<20_000).map { "10.\($0 >> 16).\(($0 >> 8) & 255).\($0 & 255)" }.joined(separator: ", ")
        let path = try s.write(
            s.rules + "/typo.nft",
            "table ip t { set s { type ipv4_addr; elements = { \(elements) }; }; } oops\n")
        let r = Self.check(path)
        Self.expectRefused(r, naming: path + ":1:", "syntax error")
        #expect(r.stderr.utf8.count < 4096, "the error prints \(r.stderr.utf8.count) bytes")
    }

    /// Over NFTCTL_MAX_NFT_BYTES, counting what the file includes: a clear error naming the file.
    @Test func inputOverTheSizeLimitIsRefused() throws {
        let s = try Scratch()
        let rules = (0..<200).map { "\t\tip saddr 192.0.2.\($0 % 250) tcp dport \($0 + 1) accept" }.joined(separator: "\n")
        let big = try s.write(s.rules + "/big.nft", "table ip t {\n\tchain c {\n\(rules)\n\t}\n}\n")
        for command in ["check", "import"] {
            let r = Self.check(big, command: command, environment: ["NFTCTL_MAX_NFT_BYTES": "4096"])
            Self.expectRefused(r, naming: big, "larger than 4096 bytes")
            #expect(r.stderr.contains("NFTCTL_MAX_NFT_BYTES"))
        }

        let small = try s.write(s.rules + "/small.nft", "include \"\(big)\"\n")
        let ri = Self.check(small, environment: ["NFTCTL_MAX_NFT_BYTES": "4096"])
        Self.expectRefused(ri, naming: small + ":1", "larger than 4096 bytes")
    }

    // MARK: - Includes

    /// `include "/etc/shadow"` as root: libnftables echoed each line of the file in its errors.
    @Test(.needsRoot) func includeOfShadowShowsNoLineOfIt() throws {
        let shadow = try String(contentsOfFile: "/etc/shadow", encoding: .utf8)
        let s = try Scratch()
        let path = try s.write(s.rules + "/incshadow.nft", "include \"/etc/shadow\"\ntable ip x { }\n")
        let r = Self.check(path)
        // Counted, never quoted: a failure must not put the file's lines into the test log.
        #expect(r.status == 1, "exit \(r.status)")
        #expect(r.stderr.contains(path), "the error does not name the rules file")
        let lines = shadow.split(separator: "\n").filter { !$0.isEmpty }
        let printed = lines.filter { r.stderr.contains($0) }.count
        let users = lines.compactMap { $0.split(separator: ":").first }.filter { r.stderr.contains($0 + ":") }.count
        #expect(printed == 0, "\(printed) lines of /etc/shadow are printed in the error")
        #expect(users == 0, "\(users) user names of /etc/shadow are printed in the error")
    }

    /// Every way out of the rules file's directory — absolute path, glob, `../`, a symlink
    /// inside leading out — is parsed but its text never printed; a file inside still is.
    @Test func includedTextOutsideTheRulesDirectoryIsNotPrinted() throws {
        let s = try Scratch()
        try s.write(s.outside + "/s.nft", "table ip t { chain c { ip saddr $secretvar accept; }; }\n")
        try s.write(s.outside + "/pw.conf", "hunter2:letmein\n")
        try FileManager.default.createSymbolicLink(atPath: s.rules + "/link.nft", withDestinationPath: s.outside + "/s.nft")
        let cases: [(String, String, String?)] = [
            ("absolute.nft", "include \"\(s.outside)/s.nft\"\n", nil),
            ("glob.nft", "include \"\(s.outside)/*.conf\"\n", nil),
            ("symlink.nft", "include \"\(s.rules)/link.nft\"\n", nil),
            ("relative.nft", "include \"../outside/s.nft\"\n", s.rules)
        ]
        for (name, text, cwd) in cases {
            let path = try s.write(s.rules + "/" + name, text)
            let r = Self.check(path, directory: cwd)
            Self.expectRefused(r, naming: path + ":1", "included from")
            for secret in ["secretvar", "hunter2", "letmein"] {
                #expect(!r.stderr.contains(secret), "\(name): text of a file outside the rules directory is printed: \(r.stderr)")
            }
        }
        // Inside the directory the user's own text stays in the error.
        try s.write(s.rules + "/mine.nft", "table ip t { chain c { ip saddr $myvar accept; }; }\n")
        let own = try s.write(s.rules + "/own.nft", "include \"\(s.rules)/mine.nft\"\n")
        let r = Self.check(own)
        Self.expectRefused(r, naming: s.rules + "/mine.nft:1", "ip saddr $myvar accept")
    }

    /// `include "/dev/zero"` kept libnftables reading forever; an include cycle is refused too.
    @Test func includeOfANonRegularFileOrACycleIsRefused() throws {
        let s = try Scratch()
        let zero = try s.write(s.rules + "/zero.nft", "include \"/dev/zero\"\n")
        Self.expectRefused(Self.check(zero), naming: zero + ":1", "not a regular file")
        let loop = s.rules + "/loop.nft"
        try s.write(loop, "table ip t { }\ninclude \"\(loop)\"\n")
        Self.expectRefused(Self.check(loop), naming: loop + ":2", "cycle")
        // A name the file writes is printed on one line: a line break in it cannot fake a
        // diagnostic of its own.
        let forged = s.rules + "/a\nnftctl: error: forged.nft"
        try s.write(forged, "table ip t { }\ninclude \"\(forged)\"\n")
        let r = Self.check(forged)
        Self.expectRefused(r, naming: "cycle", "cycle")
        #expect(!r.stderr.contains("\nnftctl: error: forged"), "\(r.stderr)")
    }

    /// Only files the invoking user can read: as nobody, a root-only file is refused by name.
    @Test(.needsRoot) func includeOfAFileTheUserCannotReadIsRefused() throws {
        let s = try Scratch()
        let secret = try s.write(s.outside + "/root-only.nft", "define hidden = 192.0.2.1\n", mode: 0o600)
        let path = try s.write(s.rules + "/r.nft", "include \"\(secret)\"\ntable ip t { }\n")
        let exe = try Shell.nftctlReachableByAll(in: s.root + "/bin")
        let r = Self.check(path, asNobody: true, executable: exe)
        Self.expectRefused(r, naming: path + ":1", "cannot read")
        #expect(!r.stderr.contains("192.0.2.1"))
    }
}
