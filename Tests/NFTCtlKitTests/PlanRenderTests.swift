import Foundation
import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// How a plan reads (no kernel: both sides are listings). A changed rule is one `~` entry
/// with its old and new text, the summary counts exactly the markers shown (text and JSON),
/// an added rule says where it goes, and handles show only against a kernel.
struct PlanRenderTests {
    static func rule(_ chain: String, port: Int, _ verdict: String, handle: Int? = nil) -> String {
        let h = handle.map { #", "handle": \#($0)"# } ?? ""
        return
            #"{"rule": {"family": "inet", "table": "t", "chain": "\#(chain)"\#(h), "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": \#(port)}}, {"\#(verdict)": null}]}}"#
    }

    static func doc(_ items: [String]) -> String {
        let head = [
            #"{"table": {"family": "inet", "name": "t"}}"#,
            #"{"chain": {"family": "inet", "table": "t", "name": "input", "type": "filter", "hook": "input", "prio": 0, "policy": "accept"}}"#
        ]
        return #"{"nftables": ["# + (head + items).joined(separator: ",\n") + "]}"
    }

    static func set(_ elements: [String], handle: Bool = false) -> String {
        #"{"set": {"family": "inet", "table": "t", "name": "s", "type": "ipv4_addr"\#(handle ? #", "handle": 9"# : ""), "elem": [\#(elements.map { "\"\($0)\"" }.joined(separator: ", "))]}}"#
    }

    /// Live: dport 22 accept, 80 accept, 25 accept, 8080 drop, set {10.0.0.1, 10.0.0.2}.
    /// Desired: 22 becomes drop, 443 goes after 80, 8080 goes, the set swaps .2 for .3 and .4.
    static func plan() throws -> Plan {
        let live = try Document.parse(
            doc([
                set(["10.0.0.1", "10.0.0.2"], handle: true),
                rule("input", port: 22, "accept", handle: 4), rule("input", port: 80, "accept", handle: 5),
                rule("input", port: 25, "accept", handle: 6), rule("input", port: 8080, "drop", handle: 7)
            ]))
        let desired = try InputLoader.loadJSON(
            "want.json",
            text: doc([
                set(["10.0.0.1", "10.0.0.3", "10.0.0.4"]),
                rule("input", port: 22, "drop"), rule("input", port: 80, "accept"),
                rule("input", port: 443, "accept"), rule("input", port: 25, "accept")
            ])
        ).state
        return try PlanOperation.plan(desired: desired, live: live)
    }

    static func markers(_ text: String) -> [Character: Int] {
        var n: [Character: Int] = [:]
        for line in text.split(separator: "\n") {
            let t = line.drop { $0 == " " }
            if let c = t.first, "+-~".contains(c), t.dropFirst().first == " " { n[c, default: 0] += 1 }
        }
        return n
    }

    @Test func aChangedRuleIsOneEntryWithBothTexts() throws {
        let text = PlanRenderer(color: false).text(try Self.plan())
        let lines = text.split(separator: "\n").map(String.init)
        let i = try #require(lines.firstIndex { $0.hasPrefix("    ~ tcp dport 22 accept") }, "\(text)")
        #expect(lines[i] == "    ~ tcp dport 22 accept  # handle 4", "\(text)")
        #expect(lines[i + 1] == "      → tcp dport 22 drop  # want.json:4", "\(text)")
        #expect(!lines.contains { $0.hasPrefix("    - tcp dport 22") }, "\(text)")
        #expect(lines.contains("    - tcp dport 8080 drop  # handle 7"), "\(text)")
    }

    @Test func summaryCountsAreTheMarkers() throws {
        let plan = try Self.plan()
        let text = PlanRenderer(color: false).text(plan)
        let n = Self.markers(text)
        // 443 and the element line of .3/.4 added; 22 changed; 8080 and the element line of .2
        // deleted (the old code said "0 to add, 3 to change, 1 to delete." with two `+`, two `-`).
        #expect(n == ["+": 2, "~": 1, "-": 2], "\(text)")
        #expect(text.hasSuffix("\n2 to add, 1 to change, 2 to delete."), "\(text)")
        #expect(text.contains("  - element s { 10.0.0.2 }") && text.contains("  + element s { 10.0.0.3, 10.0.0.4 }"), "\(text)")

        guard case .object(let json) = PlanRenderer(color: false).json(plan) else { Issue.record("not an object"); return }
        var ops: [String: Int] = [:]
        if case .array(let tables)? = json["tables"] {
            for case .object(let t) in tables {
                guard case .array(let changes)? = t["changes"] else { continue }
                for case .object(let c) in changes { if case .string(let op)? = c["op"] { ops[op, default: 0] += 1 } }
            }
        }
        #expect(ops == ["add": 2, "change": 1, "delete": 2])
        #expect(json["add"] == .int(2) && json["change"] == .int(1) && json["delete"] == .int(2))
    }

    /// A map's elements read as nft writes them: `key : value`, in the map's types (an
    /// interface name quoted), not the model's pair.
    @Test func mapElementsReadAsNftSyntax() throws {
        func maps(_ last: Bool) -> String {
            let vm =
                #"{"map": {"family": "inet", "table": "t", "name": "vm", "type": "ifname", "map": "verdict", "elem": [["eth0", {"accept": null}]"#
                + (last ? #", ["eth1", {"drop": null}]"# : "") + "]}}"
            let nm =
                #"{"map": {"family": "inet", "table": "t", "name": "nm", "type": "inet_service", "map": ["ipv4_addr", "inet_service"], "elem": [[80, {"concat": ["10.0.0.1", 8080]}]"#
                + (last ? #", [443, {"concat": ["10.0.0.2", 8443]}]"# : "") + "]}}"
            return Self.doc([vm, nm])
        }
        let live = try Document.parse(maps(true))
        let desired = try InputLoader.loadJSON("want.json", text: maps(false)).state
        let text = PlanRenderer(color: false).text(try PlanOperation.plan(desired: desired, live: live))
        #expect(text.contains(#"  - element vm { "eth1" : drop }"#), "\(text)")
        #expect(text.contains("  - element nm { 443 : 10.0.0.2 . 8443 }"), "\(text)")
        // A set's comment is not read for its elements.
        var commented = try #require(desired.table(TableKey(family: "inet", name: "t"))?.set("vm")?.value)
        commented.comment = "see elements = below"
        commented.elem = .list([.list([.string("eth9"), .verdict(.accept)])])
        #expect(TextBatch.elementsText(commented) == #"{ "eth9" : accept }"#)
    }

    @Test func addedRulesSayWhereTheyGo() throws {
        let plan = try Self.plan()
        let text = PlanRenderer(color: false).text(plan)
        #expect(text.contains("    + tcp dport 443 accept  # after: tcp dport 80 accept  # want.json:6"), "\(text)")
        let json = PlanRenderer(color: false).json(plan).serialized(.pretty)
        #expect(json.contains(#""after": "tcp dport 80 accept""#), "\(json)")
        #expect(json.contains(#""old": "tcp dport 22 accept""#), "\(json)")

        let top = try PlanOperation.plan(
            desired: InputLoader.loadJSON(
                "top.json", text: Self.doc([Self.rule("input", port: 21, "accept"), Self.rule("input", port: 80, "accept")])
            ).state,
            live: Document.parse(Self.doc([Self.rule("input", port: 80, "accept", handle: 5)])))
        let topText = PlanRenderer(color: false).text(top)
        #expect(topText.contains("    + tcp dport 21 accept  # at the top of chain input  # top.json:3"), "\(topText)")
        #expect(PlanRenderer(color: false).json(top).serialized(.pretty).contains(#""after": null"#))
    }

    @Test func noHandlesWhenTheLiveSideIsNoKernel() throws {
        let plan = try Self.plan()
        let text = PlanRenderer(color: false, showHandles: false).text(plan)
        #expect(!text.contains("# handle"), "\(text)")
        #expect(text.contains("    ~ tcp dport 22 accept\n      → tcp dport 22 drop"), "\(text)")
        let json = PlanRenderer(color: false, showHandles: false).json(plan).serialized(.pretty)
        #expect(!json.contains("\"handle\""), "\(json)")
    }

    /// Through the CLI: `diff A --against B` between two files prints no handles (it printed
    /// `# handle N`, B's scratch-load handles) and shows the change as one `~` entry.
    @Test(.needsRoot) func diffAgainstAFileShowsNoHandles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("plan-render-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a.nft").path, b = dir.appendingPathComponent("b.nft").path
        try
            "table inet t {\n  chain input {\n    type filter hook input priority 0; policy accept;\n    tcp dport 22 drop\n    tcp dport 80 accept\n    tcp dport 443 accept\n    tcp dport 25 accept\n  }\n}\n"
            .write(toFile: a, atomically: true, encoding: .utf8)
        try
            "table inet t {\n  chain input {\n    type filter hook input priority 0; policy accept;\n    tcp dport 22 accept\n    tcp dport 80 accept\n    tcp dport 25 accept\n    udp dport 53 accept\n  }\n}\n"
            .write(toFile: b, atomically: true, encoding: .utf8)
        let r = Shell.run([Shell.nftctl, "diff", a, "--against", b])
        #expect(r.status == 1, "\(r.stdout)\(r.stderr)")
        #expect(!r.stdout.contains("# handle"), "\(r.stdout)")
        #expect(r.stdout.contains("    ~ tcp dport 22 accept\n      → tcp dport 22 drop"), "\(r.stdout)")
        #expect(r.stdout.contains("    + tcp dport 443 accept  # after: tcp dport 80 accept"), "\(r.stdout)")
        #expect(r.stdout.contains("    - udp dport 53 accept"), "\(r.stdout)")
        #expect(r.stdout.contains("1 to add, 1 to change, 1 to delete."), "\(r.stdout)")
        let j = Shell.run([Shell.nftctl, "diff", a, "--against", b, "--format", "json"])
        #expect(!j.stdout.contains("\"handle\""), "\(j.stdout)")
    }
}
