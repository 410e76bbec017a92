import Foundation
import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// "Exactly what was declared": every construct 1.0.6's JSON path drops or changes
/// (comments on table, chain, set, map, object and element; a dormant table; typeof;
/// dynamic; auto-merge; element counters; an anonymous chain; a map update) reaches the
/// kernel unchanged through `nftctl apply`, declared in `.nft` and in `.json`; the kernel
/// then lists exactly what `nft -f` of the same text lists, `diff` finds nothing, and a
/// second apply sends no command. Strings nft syntax cannot quote are never spliced.
@Suite(.serialized) struct FidelityKernelTests {
    static let fixture = KernelApplyTests.fixture("fidelity.nft")

    static func nftctl(_ args: [String]) -> Shell.Result { Shell.run([Shell.nftctl] + args) }

    /// `json` written to a file of the test's own (removed again once applied) and
    /// applied into `ns`: the file's path and nftctl's result.
    static func apply(_ json: String, named name: String, in ns: TestNamespace) throws -> (String, Shell.Result) {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("nftctl-\(getpid())-\(name).json").path
        try json.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        return (file, nftctl(["apply", "--yes", "--netns", ns.name, file]))
    }

    /// Element expiry counts down; everything else must be identical.
    static func stable(_ s: String) -> String { KernelApplyTests.stable(s) }

    func roundTrip(_ file: String, oracle: TestNamespace, label: String) throws {
        guard let ns = TestNamespace.make("fidelity: \(label)") else { return }
        let a = Self.nftctl(["apply", "--yes", "--netns", ns.name, file])
        #expect(a.status == 0, "\(label): apply failed: \(a.stderr)")
        #expect(a.stdout.contains("verified"), "\(label): \(a.stdout)")
        #expect(Self.stable(ns.nftList()) == Self.stable(oracle.nftList()), "\(label): the kernel holds something else")

        let d = Self.nftctl(["diff", "--netns", ns.name, file])
        #expect(d.status == 0, "\(label): diff after apply: \(d.stdout)\(d.stderr)")

        // A second apply sends nothing: handles, counters and the generation stay.
        let before = ns.exec(["nft", "-a", "list", "ruleset"]).stdout
        let again = Self.nftctl(["apply", "--yes", "--netns", ns.name, file])
        #expect(again.status == 0, "\(label): second apply: \(again.stderr)")
        #expect(again.stdout.contains("nothing to do"), "\(label): second apply: \(again.stdout)")
        #expect(Self.stable(ns.exec(["nft", "-a", "list", "ruleset"]).stdout) == Self.stable(before))
    }

    @Test(.needsRoot) func everyConstructReachesTheKernelFromNftAndJSON() throws {
        guard let oracle = TestNamespace.make("fidelity: nft -f oracle") else { return }
        let text = try String(contentsOfFile: Self.fixture, encoding: .utf8)
        let load = oracle.nftLoad(text)
        try #require(load.status == 0, "nft -f refuses the fixture: \(load.stderr)")
        let listed = oracle.nftList()
        for needle in [
            "flags dormant", "comment \"table comment\"", "typeof ip saddr", "flags dynamic,timeout",
            "auto-merge", "counter packets 0 bytes 0 expires", "jump {", "update @ports",
            "timeout 2m30s500ms", "gc-interval 1s500ms", "timeout 1h1s500ms", "timeout 1d300ms",
            "timeout 1h1s260ms", "timeout 2s240ms"
        ] {
            #expect(listed.contains(needle), "the oracle lacks \(needle)")
        }
        try roundTrip(Self.fixture, oracle: oracle, label: ".nft")

        let json = FileManager.default.temporaryDirectory.appendingPathComponent("nftctl-\(getpid())-fidelity.json").path
        defer { try? FileManager.default.removeItem(atPath: json) }
        let c = Self.nftctl(["compile", Self.fixture, "-o", json])
        try #require(c.status == 0, "compile failed: \(c.stderr)")
        try roundTrip(json, oracle: oracle, label: ".json")
    }

    /// The same constructs written in the DSL (as `import` writes them), and the first apply
    /// after `import --live` of a ruleset holding them sends nothing.
    @Test(.needsRoot) func theSameFromSwiftAndAfterImportOfTheLiveRuleset() throws {
        guard let oracle = TestNamespace.make("fidelity: nft -f oracle (swift)") else { return }
        let text = try String(contentsOfFile: Self.fixture, encoding: .utf8)
        try #require(oracle.nftLoad(text).status == 0)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nftctl-\(getpid())-fidelity-swift").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let swift = dir + "/fidelity.swift"
        let i = Self.nftctl(["import", Self.fixture, "-o", swift])
        try #require(i.status == 0, "import failed: \(i.stderr)")
        try roundTrip(swift, oracle: oracle, label: ".swift (imported from the .nft)")

        guard let ns = TestNamespace.make("fidelity: import --live") else { return }
        let a = Self.nftctl(["apply", "--yes", "--netns", ns.name, Self.fixture])
        try #require(a.status == 0, "apply failed: \(a.stderr)")
        let live = dir + "/live.swift"
        let l = Self.nftctl(["import", "--live", "--netns", ns.name, "-o", live])
        try #require(l.status == 0, "import --live failed: \(l.stderr)")
        let before = ns.exec(["nft", "-a", "list", "ruleset"]).stdout
        let again = Self.nftctl(["apply", "--yes", "--netns", ns.name, live])
        #expect(again.status == 0, "apply of the import: \(again.stderr)")
        #expect(again.stdout.contains("nothing to do"), "apply of the unmodified import changed something: \(again.stdout)")
        #expect(Self.stable(ns.exec(["nft", "-a", "list", "ruleset"]).stdout) == Self.stable(before))
    }

    /// A comment nft syntax cannot quote: the batch cannot go as text, JSON would drop the
    /// comment, so nothing is applied and the error names the file and line.
    /// `meta nfproto ipv4 ct original saddr 1.2.3.4` (corpus inet/ct.t:7) and, in an ip
    /// table, `ct original saddr 1.2.3.4` list as `ct original ip saddr 1.2.3.4`, which
    /// loads as another kernel expression (`ct src_ip`, not `ct src`): nftctl writes what
    /// loads back to the same one, so the apply is not refused and changes nothing after.
    @Test(.needsRoot) func aFamilyLessConntrackAddressLoadsAsDeclared() throws {
        for (family, rule) in [
            ("inet", "meta nfproto ipv4 ct original saddr 1.2.3.4"), ("ip", "ct original saddr 1.2.3.4"),
            ("inet", "meta nfproto ipv6 ct reply daddr ::1")
        ] {
            guard let ns = TestNamespace.make("fidelity: ct original saddr (\(family))"),
                let oracle = TestNamespace.make("fidelity: ct original saddr oracle")
            else { return }
            let text = "table \(family) t {\n\tchain c {\n\t\ttype filter hook input priority 0; policy accept;\n\t\t\(rule)\n\t}\n}\n"
            try #require(oracle.nftLoad(text).status == 0)
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("nftctl-\(getpid())-ct.nft").path
            try text.write(toFile: file, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: file) }
            let a = Self.nftctl(["apply", "--yes", "--netns", ns.name, file])
            #expect(a.status == 0, "\(rule): \(a.stderr)")
            let kernel = { (n: TestNamespace) in
                n.exec(["nft", "-j", "list", "ruleset"]).stdout
                    .replacingOccurrences(of: #""handle": [0-9]+"#, with: "", options: .regularExpression)
            }
            #expect(kernel(ns) == kernel(oracle), "\(rule): the kernel holds another expression")
            let again = Self.nftctl(["apply", "--yes", "--netns", ns.name, file])
            #expect(again.stdout.contains("nothing to do"), "\(rule): \(again.stdout)\(again.stderr)")
        }
    }

    /// The DSL's typed spellings of anonymous chains (`jump { … }`, `goto { … }`) and of
    /// element options (timeout with milliseconds, comment, per-element counter) reach the
    /// kernel as `nft -f` of the same declaration does; a second apply sends nothing.
    @Test(.needsRoot) func anonymousChainsAndElementOptionsFromTheDSL() throws {
        guard let ns = TestNamespace.make("fidelity: DSL anonymous chains"),
            let oracle = TestNamespace.make("fidelity: DSL anonymous chains oracle")
        else { return }
        let nft = """
            table inet anon {
            \tset nets {
            \t\ttype ipv4_addr
            \t\tflags interval
            \t\telements = { 10.1.0.0/16 }
            \t}
            \tset timed {
            \t\ttype ipv4_addr
            \t\tflags timeout
            \t\tcounter
            \t\telements = { 10.2.0.1 counter timeout 1h500ms comment "ops, temp", 10.2.0.2 counter timeout 2h }
            \t}
            \tchain input {
            \t\ttype filter hook input priority filter; policy accept;
            \t\tip saddr @nets jump { counter; tcp dport 22 accept; }
            \t\tip saddr 10.9.0.0/16 goto { counter drop; }
            \t}
            }

            """
        try #require(oracle.nftLoad(nft).status == 0)
        let swift = """
            import NFTables

            let nets = set("nets", type: .ipv4Addr, flags: [.interval]) { "10.1.0.0/16" }
            let timed = set("timed", type: .ipv4Addr, flags: [.timeout], statements: [counter]) {
                SetElementValue("10.2.0.1", timeout: .hours(1) + .milliseconds(500), comment: "ops, temp", statements: [counter])
                SetElementValue("10.2.0.2", timeout: .init(.seconds(7200)))
            }
            let input = chain("input", hook: .input, priority: .filter, policy: .accept) {
                rule(ip.saddr == nets, jump { rule(counter); rule(tcp.dport == 22, accept) })
                rule(ip.saddr == "10.9.0.0/16", goto { rule(counter, drop) })
            }
            let ruleset = Ruleset {
                table("anon", family: .inet) { nets; timed; input }
            }

            """
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nftctl-\(getpid())-anon").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/anon.swift"
        try swift.write(toFile: file, atomically: true, encoding: .utf8)
        let a = Self.nftctl(["apply", "--yes", "--netns", ns.name, file])
        #expect(a.status == 0, "apply: \(a.stderr)")
        #expect(Self.stable(ns.nftList()) == Self.stable(oracle.nftList()), "the kernel holds something else")
        let again = Self.nftctl(["apply", "--yes", "--netns", ns.name, file])
        #expect(again.stdout.contains("nothing to do"), "second apply: \(again.stdout)\(again.stderr)")
    }

    @Test(.needsRoot) func anUnquotableStringIsRefusedNotSpliced() throws {
        guard let ns = TestNamespace.make("fidelity: unquotable comment") else { return }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nftctl-\(getpid())-evil.json")
        defer { try? FileManager.default.removeItem(at: dir) }
        try """
        {"nftables": [
         {"add": {"table": {"family": "inet", "name": "victim"}}},
         {"add": {"table": {"family": "inet", "name": "evil", "comment": "x\\"; delete table inet victim #"}}},
         {"add": {"chain": {"family": "inet", "table": "evil", "name": "c", "type": "filter", "hook": "input", "prio": 0, "policy": "accept"}}}
        ]}
        """.write(to: dir, atomically: true, encoding: .utf8)
        #expect(ns.nftLoad("add table inet victim\nadd chain inet victim keep\n").status == 0)
        let r = Self.nftctl(["apply", "--yes", "--netns", ns.name, dir.path])
        #expect(r.status == 1)
        #expect(r.stderr.contains("\(dir.path):3"), "the error names the line: \(r.stderr)")
        // Validation refuses it first ("nft syntax cannot quote"); the transport would too.
        #expect(r.stderr.contains("nft syntax cannot quote") || r.stderr.contains("cannot be quoted in nft syntax"), "\(r.stderr)")
        #expect(ns.nftList().contains("chain keep"))
        #expect(!ns.nftList().contains("evil"))
    }

    /// Text batches: one command per line; a refusal names the user's location of the
    /// command libnftables points at.
    @Test(.needsRoot) func aRefusedTextBatchNamesTheFailingCommandsLocation() throws {
        guard let ns = TestNamespace.make("fidelity: text batch errors map to locations") else { return }
        let backend = try LibNFTablesBackend(netns: ns.name)
        let batch = Document([
            .command(Command(.add, .table(Table(family: "inet", name: "t")))),
            .command(Command(.add, .chain(Chain(family: "inet", table: "t", name: "c")))),
            .command(Command(.delete, .rule(Rule(family: "inet", table: "t", chain: "c", handle: 4242))))
        ])
        let locs: [NFTModel.SourceLocation?] = [
            NFTModel.SourceLocation(file: "a.json", line: 1), NFTModel.SourceLocation(file: "a.json", line: 2),
            NFTModel.SourceLocation(file: "a.json", line: 9)
        ]
        let rendered = try TextBatch.render(batch)
        #expect(rendered.text.split(separator: "\n").count == 3)
        #expect(throws: TransportRefusal.self) { try Transport.send(batch, locations: locs, backend: backend) }
        do { try Transport.send(batch, locations: locs, backend: backend) } catch let e as TransportRefusal {
            #expect(e.message.hasPrefix("a.json:9"), "\(e.message)")
        }
        #expect(!ns.nftList().contains("table inet t"), "a refused batch changes nothing")
    }

    /// What nft's parser refuses is refused with the file's line, not sent as JSON instead:
    /// 1.0.6's JSON parser would take `reject with bogus` as a plain `reject` and the apply
    /// would call that verified. Nothing reaches the kernel.
    @Test(.needsRoot) func textTheParserRefusesIsNotSentAsJSON() throws {
        guard let ns = TestNamespace.make("fidelity: a refused text batch is not sent as JSON") else { return }
        let (file, a) = try Self.apply(
            """
            {"nftables": [
            {"table": {"family": "inet", "name": "t"}},
            {"chain": {"family": "inet", "table": "t", "name": "c", "type": "filter", "hook": "input", "prio": 0}},
            {"rule": {"family": "inet", "table": "t", "chain": "c", "expr": [{"reject": {"type": "bogus", "expr": "host-unreachable"}}]}}
            ]}
            """, named: "refused", in: ns)
        #expect(a.status == 1, "\(a.stdout)\(a.stderr)")
        #expect(a.stderr.contains("\(file):4:") && a.stderr.contains("reject with bogus"), "\(a.stderr)")
        #expect(!a.stdout.contains("verified"), "\(a.stdout)")
        #expect(!ns.nftList().contains("table inet t"), "nothing reaches the kernel")
    }

    /// Words nft lists after `set` but reads there as keywords (`ct event set new,mark`)
    /// load as listed: the text sent quotes them. They used to go as JSON once nft's parser
    /// refused the text.
    @Test(.needsRoot) func keywordValuesAfterSetLoadAsListed() throws {
        guard let ns = TestNamespace.make("fidelity: keyword values after set") else { return }
        let (_, a) = try Self.apply(
            """
            {"nftables": [
            {"table": {"family": "ip", "name": "t"}},
            {"chain": {"family": "ip", "table": "t", "name": "c"}},
            {"rule": {"family": "ip", "table": "t", "chain": "c", "expr": [{"mangle": {"key": {"ct": {"key": "event"}}, "value": ["new", "mark", "helper", "secmark"]}}]}},
            {"rule": {"family": "ip", "table": "t", "chain": "c", "expr": [{"mangle": {"key": {"payload": {"protocol": "ip", "field": "protocol"}}, "value": "udp"}}]}}
            ]}
            """, named: "keywords", in: ns)
        #expect(a.status == 0 && a.stdout.contains("verified"), "\(a.stdout)\(a.stderr)")
        let listed = ns.nftList()
        #expect(listed.contains("ct event set new,helper,mark,secmark"), "\(listed)")
        #expect(listed.contains("ip protocol set udp"), "\(listed)")
    }
}
