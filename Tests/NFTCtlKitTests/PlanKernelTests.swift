import Foundation
import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// diff and incremental apply against real kernels, in namespaces these tests create.
@Suite(.serialized) struct PlanKernelTests {
    static func fixtureText(_ name: String) throws -> String {
        try String(contentsOfFile: KernelApplyTests.fixture(name), encoding: .utf8)
    }

    /// Writes `text` to a temporary .nft file and loads it as input.
    static func input(_ text: String, _ name: String = "rules") throws -> LoadedInput {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("nftctl-\(getpid())-\(name).nft").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return try InputLoader.load(path)
    }

    static func plan(_ input: LoadedInput, _ ns: TestNamespace) throws -> Plan {
        let backend = try LibNFTablesBackend(netns: ns.name)
        return try PlanOperation.plan(desired: try PlanOperation.desiredState(input), live: try backend.list())
    }

    @Test(.needsRoot) func diffOfALoadedRulesetAgainstItselfIsEmpty() throws {
        guard let ns = TestNamespace.make("diff against itself") else { return }
        for name in ["edge.nft", "foreign.nft"] {
            let text = try Self.fixtureText(name)
            #expect(ns.nftLoad("flush ruleset\n" + text).status == 0)
            let plan = try Self.plan(try Self.input(text, name), ns)
            #expect(plan.isEmpty, "\(name): \(PlanRenderer(color: false).text(plan))")
        }
    }

    @Test(.needsRoot) func oneRuleAddedRemovedOrChangedIsExactlyOneChange() throws {
        guard let ns = TestNamespace.make("single-rule changes") else { return }
        let base = try Self.fixtureText("edge.nft")
        #expect(ns.nftLoad(base).status == 0)
        let added = base.replacingOccurrences(
            of: "\t\tiifname \"lo\" accept\n", with: "\t\tiifname \"lo\" accept\n\t\ttcp dport 9100 accept\n")
        let removed = base.replacingOccurrences(of: "\t\tct state invalid drop\n", with: "")
        let changed = base.replacingOccurrences(of: "udp dport { 53, 123 } accept", with: "udp dport { 53, 123, 5353 } accept")
        for (text, sign) in [(added, Change.Sign.add), (removed, .delete), (changed, .change)] {
            let plan = try Self.plan(try Self.input(text), ns)
            let changes = plan.tables.flatMap(\.changes)
            #expect(changes.count == 1, "\(sign): \(PlanRenderer(color: false).text(plan))")
            #expect(changes.first?.sign == sign)
            if case .update = plan.tables.first(where: { !$0.changes.isEmpty })?.mode {} else { Issue.record("not an in-place update") }
        }
    }

    @Test(.needsRoot) func countersAndDynamicElementsSurviveAnIncrementalApply() throws {
        guard let ns = TestNamespace.make("counters and dynamic elements survive") else { return }
        let base = """
            table inet keep {
            \tset seen {
            \t\ttype ipv4_addr
            \t\tflags dynamic,timeout
            \t\ttimeout 1h
            \t}
            \tchain input {
            \t\ttype filter hook input priority 0; policy accept;
            \t\ttcp dport 22 counter packets 5 bytes 100 accept
            \t\tupdate @seen { ip saddr }
            \t\tudp dport 53 accept
            \t}
            }
            """
        #expect(ns.nftLoad(base).status == 0)
        #expect(ns.exec(["nft", "add", "element", "inet", "keep", "seen", "{ 198.51.100.1 }"]).status == 0)
        let handleBefore = ns.exec(["nft", "-a", "list", "chain", "inet", "keep", "input"]).stdout
            .split(separator: "\n").first { $0.contains("tcp dport 22") }
        let changed = base.replacingOccurrences(of: "udp dport 53 accept", with: "udp dport 5353 accept")
            .replacingOccurrences(of: "counter packets 5 bytes 100", with: "counter")
        let backend = try LibNFTablesBackend(netns: ns.name)
        let report = try ApplyOperation.run(try Self.input(changed), backend: backend)
        #expect(report.applied)
        #expect(report.plan.tables.flatMap(\.changes).count == 1)
        let after = ns.exec(["nft", "-a", "list", "table", "inet", "keep"]).stdout
        #expect(after.contains("counter packets 5 bytes 100"), "counter lost:\n\(after)")
        #expect(after.contains("198.51.100.1"), "dynamic element lost:\n\(after)")
        #expect(after.contains("udp dport 5353 accept"))
        let handleAfter = after.split(separator: "\n").first { $0.contains("tcp dport 22") }
        #expect(handleBefore != nil && handleAfter == handleBefore)
    }

    @Test(.needsRoot) func aConcurrentWriterMakesTheApplyFailAndChangeNothing() throws {
        guard let ns = TestNamespace.make("stale-plan guard") else { return }
        let base = try Self.fixtureText("edge.nft")
        #expect(ns.nftLoad(base).status == 0)
        let changed = base.replacingOccurrences(of: "udp dport { 53, 123 } accept", with: "udp dport 53 accept")
        let backend = try LibNFTablesBackend(netns: ns.name)
        var before = ""
        #expect(throws: StalePlan.self) {
            _ = try ApplyOperation.run(try Self.input(changed), backend: backend) { _ in
                // Another program commits between nftctl's listing and its commit.
                _ = ns.exec(["nft", "add", "table", "ip", "intruder"])
                before = ns.nftList()
                return true
            }
        }
        #expect(KernelApplyTests.stable(ns.nftList()) == KernelApplyTests.stable(before))
        #expect(ns.nftList().contains("udp dport { 53, 123 } accept"))
    }

    @Test(.needsRoot) func foreignTablesStayByteIdenticalThroughIncrementalApplies() throws {
        guard let ns = TestNamespace.make("ownership during incremental applies") else { return }
        #expect(ns.nftLoad(try Self.fixtureText("foreign.nft")).status == 0)
        let before = ns.nftList()
        let base = try Self.fixtureText("edge.nft")
        for text in [base, base.replacingOccurrences(of: "ct state invalid drop", with: "ct state invalid counter drop"), base] {
            let r = KernelApplyTests.nftctl(["apply", "--yes", "--netns", ns.name, try Self.input(text).path])
            #expect(r.status == 0, "\(r.stderr)")
        }
        let after = ns.nftList()
        for table in ["table ip docker_like", "table ip kube_proxy_like", "table inet f2b-table"] {
            #expect(KernelApplyTests.section(table, of: after) == KernelApplyTests.section(table, of: before))
        }
    }

    @Test(.needsRoot) func diffAgainstASnapshotNeedsNoKernel() throws {
        guard let ns = TestNamespace.make("diff --against a snapshot") else { return }
        #expect(ns.nftLoad(try Self.fixtureText("edge.nft")).status == 0)
        let snap = FileManager.default.temporaryDirectory.appendingPathComponent("nftctl-\(getpid())-snap.json").path
        let listed = KernelApplyTests.nftctl(["list", "--netns", ns.name, "--format", "json"])
        try listed.stdout.write(toFile: snap, atomically: true, encoding: .utf8)
        let same = KernelApplyTests.nftctl(["diff", KernelApplyTests.fixture("edge.nft"), "--against", snap])
        #expect(same.status == 0, "\(same.stdout)\(same.stderr)")
        #expect(same.stdout.contains("0 to add, 0 to change, 0 to delete."))
        let changed = try Self.input(try Self.fixtureText("edge.nft").replacingOccurrences(of: "ct state invalid drop\n", with: ""))
        let d = KernelApplyTests.nftctl(["diff", changed.path, "--against", snap, "--format", "json"])
        #expect(d.status == 1)
        let json = try JSON.parse(d.stdout)
        #expect(json["delete"] == .int(1))
        let bad = KernelApplyTests.nftctl(["diff", "/nonexistent.nft", "--against", snap])
        #expect(bad.status == 2)
    }
}
