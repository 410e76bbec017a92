import Foundation
import Testing

/// Rulesets other projects generate or ship (OpenWrt fw4, Docker, kube-proxy, libvirt,
/// firewalld, NixOS, fail2ban, sshguard, crowdsec, netavark, Proxmox, Debian's examples, the
/// nftables wiki's constructs), each in Fixtures/realworld with its source and licence in a
/// header (README.md there for the JSON one). The kernel is the oracle: `nft -f` of the same
/// file into a fresh namespace. nftctl must apply each so that the namespace lists exactly
/// that, leave a foreign table alone, find nothing to do on a second apply and nothing to
/// change in `diff`, make the same again with `--replace` (in its own batch where it can),
/// list it as nft does, import it as Swift that plans no change against it,
/// and explain it.
@Suite struct RealWorldKernelTests {
    static let directory = KernelApplyTests.fixtures.appendingPathComponent("realworld")

    static let rulesets: [String] =
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
        .filter { $0.hasSuffix(".nft") || $0.hasSuffix(".json") }.sorted()

    /// Interfaces some rulesets name by index (`iif virbr0`, `dup to "eth1"`, netdev
    /// devices): every test namespace gets them, as the hosts these rules are for have them.
    static let interfaces = ["eth0", "eth1", "eth2", "eth3", "virbr0", "bond0", "bond1"]

    /// What another program keeps in the same namespace: nftctl must not touch it.
    static let foreign = """
        table inet foreign {
        \tset s { type ipv4_addr; elements = { 10.9.9.9 }; }
        \tchain c { type filter hook input priority 5; policy accept; counter; ip saddr @s drop; }
        }
        """

    /// The rulesets whose edit (the middle rule deleted) `EntryPatch` sends alone. The others
    /// keep no base (a table that changes without a commit: `iif "lo"`, a dynamic or timeout
    /// set) or delete a rule that jumps, and go the ordinary way.
    static let editsSentAlone: Set<String> = [
        "debian-ct_helpers.nft", "fail2ban.nft", "lxd.nft", "merged-anonymous-intervals.nft", "moby-docker-bridges.nft",
        "nftables-nat-concat-interval.nft", "nftables-typeof-maps.nft", "wiki-bridge.nft", "wiki-ct-objects.nft",
        "wiki-nat-maps.nft", "wiki-stateful-objects.nft", "wiki-synproxy.nft", "wiki-tproxy.nft"
    ]

    static func host(_ purpose: String) -> TestNamespace? {
        guard let ns = TestNamespace.make(purpose) else { return nil }
        ns.exec(["ip", "link", "set", "lo", "up"])
        for name in interfaces {
            // A dummy where the kernel has the driver, else a veth (its peer gets a kernel name).
            if ns.exec(["ip", "link", "add", name, "type", "dummy"]).status != 0 {
                ns.exec(["ip", "link", "add", name, "type", "veth"])
            }
            ns.exec(["ip", "link", "set", name, "up"])
        }
        return ns
    }

    static func load(_ path: String, into ns: TestNamespace) -> Shell.Result {
        ns.exec(["nft"] + (path.hasSuffix(".json") ? ["-j"] : []) + ["-f", path])
    }

    /// The listing without the foreign table (it comes first: it was loaded first).
    static func withoutForeign(_ listing: String) -> String {
        guard listing.hasPrefix("table inet foreign {"), let end = listing.range(of: "\n}\n") else { return listing }
        return String(listing[end.upperBound...])
    }

    static func temporaryDirectory(_ label: String) throws -> String {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("nftctl-rw-\(getpid())-\(label)").path
        try? FileManager.default.removeItem(atPath: d)
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return d
    }

    @Test(.needsRoot, arguments: rulesets)
    func appliesImportsAndExplainsLikeNftItself(_ name: String) throws {
        let file = Self.directory.appendingPathComponent(name).path
        guard let oracle = Self.host("realworld \(name): nft -f oracle") else { return }
        let load = Self.load(file, into: oracle)
        try #require(load.status == 0, "nft -f refuses \(name): \(load.stderr)")
        let expected = KernelApplyTests.stable(oracle.nftList())

        let dir = try Self.temporaryDirectory((name as NSString).deletingPathExtension)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let env = ["NFTCTL_STATE_DIR": dir + "/state"]
        func nftctl(_ args: [String]) -> Shell.Result { Shell.run([Shell.nftctl] + args, environment: env) }

        guard let ns = Self.host("realworld \(name): nftctl apply") else { return }
        try #require(ns.nftLoad(Self.foreign).status == 0)
        let foreignBefore = ns.exec(["nft", "list", "table", "inet", "foreign"]).stdout

        let c = nftctl(["compile", file, "-o", dir + "/compiled.json"])
        #expect(c.status == 0, "\(name): compile: \(c.stderr)")

        let a = nftctl(["apply", "--yes", "--netns", ns.name, file])
        try #require(a.status == 0, "\(name): apply: \(a.stderr)")
        #expect(a.stdout.contains("verified"), "\(name): \(a.stdout)")
        let listed = ns.nftList()
        #expect(
            KernelApplyTests.stable(Self.withoutForeign(listed)) == expected,
            "\(name): the kernel holds something else than nft -f makes of the file")
        #expect(ns.exec(["nft", "list", "table", "inet", "foreign"]).stdout == foreignBefore, "\(name): the foreign table changed")

        let again = nftctl(["apply", "--yes", "--netns", ns.name, file])
        #expect(again.status == 0 && again.stdout.contains("nothing to do"), "\(name): second apply: \(again.stdout)\(again.stderr)")
        let d = nftctl(["diff", "--netns", ns.name, file])
        #expect(d.status == 0, "\(name): diff after apply: \(d.stdout)\(d.stderr)")
        // Replaced whole: the rules' kernel bytes are known by now, so a table without sets
        // goes in nftctl's own batch (`KernelBatch`); the kernel lists the same either way.
        let replaced = Shell.run(
            [Shell.nftctl, "apply", "--yes", "--replace", "--netns", ns.name, file], environment: env.merging(["NFTCTL_TIMING": "1"]) { $1 }
        )
        #expect(replaced.status == 0, "\(name): apply --replace: \(replaced.stderr)")
        #expect(
            KernelApplyTests.stable(Self.withoutForeign(ns.nftList())) == expected,
            "\(name): after apply --replace\(replaced.stderr.contains("commit (own batch)") ? " (own batch)" : ""), the kernel holds something else"
        )
        #expect(ns.exec(["nft", "list", "table", "inet", "foreign"]).stdout == foreignBefore, "\(name): the foreign table changed")

        // The compiled JSON into a namespace without its tables, then into another: where
        // the first keeps a replay record (its tables all in nftctl's own batch's terms), the
        // second is a replay of it (`Replay`). The kernel lists what nft -f makes either way.
        // A cache of its own: the records of the host's cache are not the test's to evict.
        var drafted = false
        for purpose in ["compiled JSON", "compiled JSON again"] {
            let fresh = try #require(Self.host("realworld \(name): \(purpose)"))
            let r = Shell.run(
                [Shell.nftctl, "apply", "--yes", "--netns", fresh.name, dir + "/compiled.json"],
                environment: env.merging(["NFTCTL_TIMING": "1", "NFTCTL_CACHE": dir + "/cache"]) { $1 })
            #expect(r.status == 0, "\(name): apply of the compiled JSON: \(r.stderr)")
            #expect(
                KernelApplyTests.stable(fresh.nftList()) == expected,
                "\(name): \(purpose)\(r.stderr.contains(ReplayKernelTests.replayed) ? " (replayed)" : ""): the kernel holds something else")
            if drafted { #expect(r.stderr.contains(ReplayKernelTests.replayed), "\(name): a recorded apply was not replayed: \(r.stderr)") }
            drafted = r.stderr.contains(ReplayKernelTests.kept)
            // An edit of the file just applied: its middle rule deleted (an edit `EntryPatch`
            // sends alone where it can). The kernel lists what nftctl's whole apply of the edit
            // makes in a fresh namespace (itself checked against `nft -f` above, for the file
            // unedited): not `nft -j -f`, whose JSON parser (1.0.6) refuses some of these files
            // and loses comments and `auto-merge` from others (the reason nftctl sends nft syntax).
            guard purpose == "compiled JSON" else { continue }
            let compiled = try String(contentsOfFile: dir + "/compiled.json", encoding: .utf8)
            var lines = compiled.components(separatedBy: "\n")
            let rules = lines.indices.filter { lines[$0].hasPrefix(#"{"add": {"rule""#) && lines[$0].hasSuffix("},") }
            guard !rules.isEmpty else { continue }
            lines.remove(at: rules[rules.count / 2])
            let edited = dir + "/edited.json"
            try lines.joined(separator: "\n").write(toFile: edited, atomically: true, encoding: .utf8)
            let oracleEdit = try #require(Self.host("realworld \(name): the edit, in a fresh namespace"))
            func apply(_ ns: TestNamespace) -> Shell.Result {
                Shell.run(
                    [Shell.nftctl, "apply", "--yes", "--netns", ns.name, edited],
                    environment: env.merging(["NFTCTL_TIMING": "1", "NFTCTL_CACHE": dir + "/cache"]) { $1 })
            }
            let whole = apply(oracleEdit)
            try #require(whole.status == 0, "\(name): apply of the edit into a fresh namespace: \(whole.stderr)")
            #expect(!whole.stderr.contains(EntryPatchKernelTests.patched), "\(name): a fresh namespace has nothing to patch")
            let e = apply(fresh)
            #expect(e.status == 0, "\(name): apply of the edit: \(e.stderr)")
            #expect(
                KernelApplyTests.stable(fresh.nftList()) == KernelApplyTests.stable(oracleEdit.nftList()),
                "\(name): the edit\(e.stderr.contains(EntryPatchKernelTests.patched) ? " (sent alone)" : ""): the kernel holds something else"
            )
            // Which edits go alone is pinned: one that stops doing so is a regression to look at.
            #expect(
                e.stderr.contains(EntryPatchKernelTests.patched) == Self.editsSentAlone.contains(name),
                "\(name): the edit \(e.stderr.contains(EntryPatchKernelTests.patched) ? "was" : "was not") sent alone: \(e.stderr)")
        }

        // `list` prints what `nft list ruleset` prints, the foreign table included.
        let l = nftctl(["list", "--netns", ns.name])
        #expect(l.status == 0, "\(name): list: \(l.stderr)")
        #expect(KernelApplyTests.stable(l.stdout) == KernelApplyTests.stable(ns.nftList()), "\(name): list prints otherwise than nft")
        // libnftables' own stderr noise (`stmt ops chain have no json callback`) is not shown.
        for r in [a, again, d, l] { #expect(!r.stderr.contains("json callback"), "\(name): \(r.stderr)") }
        let e = nftctl(["explain", file])
        #expect(e.status == 0 && !e.stdout.isEmpty, "\(name): explain: \(e.stderr)")

        // The imported Swift compiles back to the same ruleset: no change against the kernel.
        let swift = dir + "/imported.swift"
        let i = nftctl(["import", file, "-o", swift])
        try #require(i.status == 0, "\(name): import: \(i.stderr)")
        let di = nftctl(["diff", "--netns", ns.name, swift])
        #expect(di.status == 0, "\(name): diff of the imported Swift: \(di.stdout)\(di.stderr)")
    }
}
