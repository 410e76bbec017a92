import Foundation
import NFTAnalysis
import NFTTestSupport
import Testing

@testable import NFTCtlKit

/// Bad input of every kind gives a clear error naming the file, never a crash: truncated
/// JSON, wrong types, unknown keys, empty jump targets, `"op": "&"` in a match, huge
/// numbers, and 10,000 random mutations of corpus documents.
struct BadInputTests {
    static func document(_ stmts: String, family: String = "inet") -> String {
        """
        {"nftables": [
          {"add": {"table": {"family": "\(family)", "name": "t"}}},
          {"add": {"chain": {"family": "\(family)", "table": "t", "name": "c", "type": "filter", "hook": "input", "prio": 0, "policy": "accept"}}},
          {"add": {"rule": {"family": "\(family)", "table": "t", "chain": "c", "expr": \(stmts)}}}
        ]}
        """
    }

    func expectError(_ text: String, contains needle: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        do {
            _ = try InputLoader.loadJSON("bad.json", text: text)
            Issue.record("accepted bad input: \(text)", sourceLocation: sourceLocation)
        } catch let e as Problem {
            #expect(e.message.contains("bad.json"), "error does not name the file: \(e.message)", sourceLocation: sourceLocation)
            #expect(e.message.contains(needle), "expected '\(needle)' in: \(e.message)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected error type \(type(of: error)): \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func truncatedJSON() {
        let doc = Self.document(#"[{"accept": null}]"#)
        expectError(String(doc.prefix(doc.count / 2)), contains: "invalid JSON")
    }

    @Test func wrongTypes() {
        expectError(#"{"nftables": [{"add": {"table": {"family": 4, "name": "t"}}}]}"#, contains: "family")
        expectError(#"{"nftables": {"add": 1}}"#, contains: "must be an array")
        expectError(Self.document(#"[{"match": {"op": "==", "left": {"meta": {"key": 7}}, "right": 1}}]"#), contains: "key")
    }

    @Test func unknownKeys() {
        expectError(Self.document(#"[{"accept": null, "frobnicate": 1}]"#), contains: "exactly one key")
        expectError(#"{"nftables": [{"add": {"table": {"family": "ip", "name": "t", "colour": "red"}}}]}"#, contains: "colour")
        expectError(Self.document(#"[{"teleport": {"to": "mars"}}]"#), contains: "teleport")
    }

    @Test func emptyJumpTarget() {
        expectError(Self.document(#"[{"jump": {"target": ""}}]"#), contains: "target")
    }

    @Test func bitwiseOperatorInMatch() {
        expectError(Self.document(#"[{"match": {"op": "&", "left": {"meta": {"key": "mark"}}, "right": 1}}]"#), contains: "operator")
    }

    @Test func hugeNumbers() {
        expectError(
            Self.document(#"[{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 1e999}}]"#),
            contains: "invalid JSON")
        expectError(
            Self.document(
                #"[{"match": {"op": "==", "left": {"payload": {"base": "th", "offset": 99999999999999, "len": 8}}, "right": 1}}]"#),
            contains: "offset")
    }

    @Test func undefinedChainIsAValidationError() throws {
        let input = try InputLoader.loadJSON("bad.json", text: Self.document(#"[{"jump": {"target": "nowhere"}}]"#))
        let d = Validator.validate(input.state)
        #expect(d.hasErrors)
        #expect(d.first?.description.contains("nowhere") == true)
        #expect(d.first?.location?.file == "bad.json")
        #expect(d.first?.location?.line == 4)
    }

    /// An `owner` table goes with the process that made it: applied by nftctl, it would be
    /// gone when nftctl exits, and "up to date" would never be true.
    @Test func anOwnerTableIsAValidationError() throws {
        let text = #"{"nftables": [{"add": {"table": {"family": "inet", "name": "t", "flags": ["owner"]}}}]}"#
        let d = Validator.validate(try InputLoader.loadJSON("owner.json", text: text).state)
        #expect(d.hasErrors)
        #expect(d.first?.description.contains("flag owner") == true)
        #expect(d.first?.location?.file == "owner.json")
    }

    /// A flag or policy nft has no word for cannot be sent (1.0.6's JSON parser ignores it):
    /// refused with its file and line before anything is committed, each one named, while the
    /// known ones pass.
    @Test func unknownFlagsAndPoliciesAreValidationErrors() throws {
        let text = """
            {"nftables": [
            {"table": {"family": "ip", "name": "x", "flags": "x"}},
            {"set": {"family": "ip", "table": "x", "name": "s", "type": "ipv4_addr", "flags": ["interval", "bogus"]}},
            {"map": {"family": "ip", "table": "x", "name": "m", "type": "ipv4_addr", "map": "mark", "policy": "fast"}},
            {"set": {"family": "ip", "table": "x", "name": "ok", "type": "ipv4_addr", "flags": ["constant", "interval"], "policy": "memory"}}
            ]}
            """
        let d = Validator.validate(try InputLoader.loadJSON("flags.json", text: text).state).filter { $0.severity == .error }
        let found = d.map { "\($0.location?.line ?? 0) \($0.message)" }.sorted()
        #expect(
            found == [
                #"2 unknown table flag "x" (dormant, owner, persist)"#,
                #"3 unknown set flag "bogus" (constant, dynamic, interval, timeout)"#,
                #"4 unknown map policy "fast" (performance, memory)"#
            ], "\(found)")
        #expect(d.allSatisfy { $0.location?.file == "flags.json" })
    }

    /// Words nft has no word for and numbers beyond the kernel attribute's width, which 1.0.6
    /// takes silently (a flag dropped, `bogus` read as `none`, 2^32 cut to 0): refused at
    /// validation with their line, each named; in-range values and known words pass.
    @Test func outOfRangeNumbersAndUnknownWordsAreValidationErrors() throws {
        let rule = { (expr: String) in
            #"{"rule": {"family": "inet", "table": "t", "chain": "c", "expr": [\#(expr)]}},"#
        }
        let text = """
            {"nftables": [
            {"table": {"family": "inet", "name": "t"}},
            {"chain": {"family": "inet", "table": "t", "name": "c", "type": "filter", "hook": "input", "prio": 4294967296}},
            \(rule(#"{"log": {"group": 70000, "snaplen": 4294967296}}"#))
            \(rule(#"{"limit": {"rate": 1, "rate_unit": "", "per": "second"}}"#))
            \(rule(#"{"ct count": {"val": 4294967296}}"#))
            \(rule(#"{"mangle": {"key": {"meta": {"key": "priority"}}, "value": "bogus"}}"#))
            \(rule(#"{"synproxy": {"mss": 70000, "wscale": 7, "flags": ["bogus"]}}"#))
            {"set": {"family": "inet", "table": "t", "name": "s", "type": "ipv4_addr", "flags": ["timeout"], "size": 4294967296, "timeout": -1, "elem": [{"elem": {"val": "10.0.0.1", "timeout": -1}}]}},
            {"ct timeout": {"family": "inet", "table": "t", "name": "to", "protocol": "tcp", "l3proto": "ip", "policy": {"established": 4294967296}}},
            \(rule(#"{"log": {"group": 2, "snaplen": 64, "queue-threshold": 5}}"#))
            \(rule(#"{"mangle": {"key": {"meta": {"key": "priority"}}, "value": "1:a"}}"#))
            \(rule(#"{"mangle": {"key": {"meta": {"key": "priority"}}, "value": "0x10001"}}"#))
            \(rule(#"{"mangle": {"key": {"meta": {"key": "priority"}}, "value": "65537"}}"#))
            {"set": {"family": "inet", "table": "t", "name": "ok", "type": "ipv4_addr", "flags": ["timeout"], "size": 65535, "timeout": 60, "gc-interval": 10}}
            ]}
            """
        let d = Validator.validate(try InputLoader.loadJSON("values.json", text: text).state).filter { $0.severity == .error }
        let found = d.map { "\($0.location?.line ?? 0) \($0.message)" }.sorted()
        #expect(
            found == [
                "10 timeout policy established 4294967296 is out of range (0 to 4294967295)",
                "3 priority 4294967296 is out of range (-2147483648 to 2147483647)",
                "4 log group 70000 is out of range (0 to 65535)",
                "4 log snaplen 4294967296 is out of range (0 to 4294967295)",
                #"5 unknown limit rate unit "" (packets, bytes, kbytes, mbytes)"#,
                "6 ct count 4294967296 is out of range (0 to 4294967295)",
                #"7 meta priority "bogus" is not none, root or MAJOR:MINOR (hex)"#,
                "8 synproxy mss 70000 is out of range (0 to 65535)",
                #"8 unknown synproxy flag "bogus" (timestamp, sack-perm)"#,
                "9 element timeout -1000 ms is negative",
                "9 size 4294967296 is out of range (0 to 4294967295)",
                "9 timeout -1000 ms is negative"
            ], "\(found)")
    }

    /// An empty string where an address or an element goes: 1.0.6's JSON parser reads it as
    /// `:9000` or `0`, or drops the element, and the apply used to call that verified.
    @Test func emptyAddressesAndElementsAreValidationErrors() throws {
        let text = """
            {"nftables": [
            {"table": {"family": "ip", "name": "t"}},
            {"set": {"family": "ip", "table": "t", "name": "s", "type": "ipv4_addr", "elem": ["1.1.1.1", "", "2.2.2.2"]}},
            {"chain": {"family": "ip", "table": "t", "name": "c"}},
            {"rule": {"family": "ip", "table": "t", "chain": "c", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": {"set": ["1.1.1.1", ""]}}}]}},
            {"rule": {"family": "ip", "table": "t", "chain": "c", "expr": [{"tproxy": {"family": "ip", "addr": "", "port": 9000}}]}},
            {"rule": {"family": "ip", "table": "t", "chain": "c", "expr": [{"dnat": {"addr": "", "port": 80}}]}},
            {"rule": {"family": "ip", "table": "t", "chain": "c", "expr": [{"dup": {"addr": ""}}]}}
            ]}
            """
        let d = Validator.validate(try InputLoader.loadJSON("empty.json", text: text).state).filter { $0.severity == .error }
        let found = d.map { "\($0.location?.line ?? 0) \($0.message)" }.sorted()
        #expect(
            found == [
                "3 an empty element", "5 an empty element", "6 tproxy to an empty address", "7 dnat to an empty address",
                "8 dup to an empty address"
            ], "\(found)")
    }

    /// 10,000 random mutations of real rules: each either loads or fails with an Problem;
    /// nothing traps, and what loads reduces, validates and compiles.
    @Test func randomMutationsNeverCrash() throws {
        let records = Corpus.accepted
        try #require(records.count > 1000, "corpus missing: \(records.count) records")
        var rng = SplitMix(seed: 0x6e667463)
        var loaded = 0, refused = 0
        for n in 0..<10_000 {
            let r = records[Int(rng.next() % UInt64(records.count))]
            guard let stmts = r.listedJSON else { continue }
            let base = try JSON.parse(Self.document(stmts.serialized(), family: r.family))
            var text: String
            if n % 10 == 0 {
                let s = base.serialized()
                text = String(s.prefix(Int(rng.next() % UInt64(s.count))))
            } else {
                text = Mutator.mutate(base, &rng).serialized()
            }
            do {
                let input = try InputLoader.loadJSON("m.json", text: text)
                _ = Validator.validate(input.state)
                _ = input.state.creationBatch().document.json.serialized()
                loaded += 1
            } catch let e as Problem {
                #expect(!e.message.isEmpty)
                refused += 1
            }
        }
        print("mutations: \(loaded) loaded, \(refused) refused with an error, 0 crashes")
        #expect(loaded + refused >= 9_000)
        #expect(refused > 1_000)
    }
}

/// Random structural edits of a JSON value.
enum Mutator {
    static let junk: [JSON] = [
        .null, .bool(true), .int(-1), .int(0), .uint(UInt64.max), .int(Int64.max), .string(""), .string("@"),
        .string("accept"), .array([]), .object(JSONObject()), ["jump": ["target": ""]], ["&": [1]],
        ["op": "&"], .string(String(repeating: "x", count: 300)), ["prefix": ["addr": "10.0.0.0", "len": 999]]
    ]

    static func mutate(_ j: JSON, _ rng: inout SplitMix) -> JSON {
        var paths: [[PathStep]] = []
        collect(j, [], &paths)
        guard !paths.isEmpty else { return j }
        let path = paths[Int(rng.next() % UInt64(paths.count))]
        let op = rng.next() % 4
        return edit(j, path[...], op: op, &rng)
    }

    enum PathStep { case key(String), index(Int) }

    static func collect(_ j: JSON, _ path: [PathStep], _ out: inout [[PathStep]]) {
        out.append(path)
        switch j {
        case .object(let o): for (k, v) in o { collect(v, path + [.key(k)], &out) }
        case .array(let a): for (i, v) in a.enumerated() { collect(v, path + [.index(i)], &out) }
        default: break
        }
    }

    static func edit(_ j: JSON, _ path: ArraySlice<PathStep>, op: UInt64, _ rng: inout SplitMix) -> JSON {
        guard let step = path.first else {
            switch op {
            case 0: return junk[Int(rng.next() % UInt64(junk.count))]
            case 1:
                if case .object(var o) = j { o["unknown\(rng.next() % 3)"] = .int(1); return .object(o) }
                return .array([j, j])
            case 2:
                if case .object(var o) = j, let k = o.keys.first { o[k] = nil; return .object(o) }
                if case .array(var a) = j, !a.isEmpty { a.removeLast(); return .array(a) }
                return .null
            default:
                if case .string = j { return .int(Int64(rng.next() % 70000)) }
                if case .int = j { return .string("x") }
                return junk[Int(rng.next() % UInt64(junk.count))]
            }
        }
        switch (step, j) {
        case (.key(let k), .object(var o)):
            o[k] = edit(o[k] ?? .null, path.dropFirst(), op: op, &rng)
            return .object(o)
        case (.index(let i), .array(var a)) where i < a.count:
            a[i] = edit(a[i], path.dropFirst(), op: op, &rng)
            return .array(a)
        default: return j
        }
    }
}

/// The same bad inputs through the real binary: exit status 1 and one clear message that
/// names the file, never a crash, a trap or an abort.
struct BadInputCLITests {
    @Test(arguments: [
        ("truncated.json", #"{"nftables": [{"add": {"table": {"family": "ip", "#),
        ("wrongtype.json", #"{"nftables": [{"add": {"table": {"family": 4, "name": "t"}}}]}"#),
        ("emptyjump.json", BadInputTests.document(#"[{"jump": {"target": ""}}]"#)),
        ("bitop.json", BadInputTests.document(#"[{"match": {"op": "&", "left": {"meta": {"key": "mark"}}, "right": 1}}]"#)),
        ("huge.json", BadInputTests.document(#"[{"match": {"op": "==", "left": {"meta": {"key": "mark"}}, "right": 1e999}}]"#)),
        ("bad.nft", "table ip t {\n\tchain c {\n\t\tip saddr 1.2.3.4.5 drop\n\t}\n}\n")
    ])
    func badInputExitsOneWithAClearError(_ name: String, _ text: String) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("nftctl-\(getpid())-\(name)").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        for command in ["compile", "check"] {
            let r = Shell.run([Shell.nftctl, command, path])
            #expect(r.status == 1, "\(command) \(name): exit \(r.status)\n\(r.stderr)")
            #expect(r.stderr.contains(path), "\(command) \(name): the error does not name the file:\n\(r.stderr)")
            #expect(!r.stderr.contains("Fatal error") && !r.stderr.contains("Stack dump"), "\(r.stderr)")
        }
    }

    /// `-o` onto a device or a link writes through it, as the shell's `>` would: it used to
    /// put a new file in its place (`compile -o /dev/null` as root replaced /dev/null). The
    /// device here is a node of the test's own, made as /dev/null's (1, 3: 0x103).
    @Test(.needsRoot) func outputOntoADeviceOrALinkWritesThroughIt() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nftctl-\(getpid())-out").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = dir + "/in.json", link = dir + "/link", target = dir + "/target", device = dir + "/null"
        let dangling = dir + "/dangling", created = dir + "/created"
        try BadInputTests.document(#"[{"accept": null}]"#).write(toFile: input, atomically: true, encoding: .utf8)
        try "old".write(toFile: target, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        try FileManager.default.createSymbolicLink(atPath: dangling, withDestinationPath: created)
        try #require(mknod(device, S_IFCHR | 0o666, dev_t(0x103)) == 0)
        for out in [link, device, dangling] {
            let r = Shell.run([Shell.nftctl, "compile", input, "-o", out])
            #expect(r.status == 0, "\(out): \(r.stderr)")
        }
        var st = stat()
        #expect(lstat(link, &st) == 0 && st.st_mode & S_IFMT == S_IFLNK, "the link is still a link")
        #expect(lstat(device, &st) == 0 && st.st_mode & S_IFMT == S_IFCHR, "the device is still a device")
        #expect(try String(contentsOfFile: target, encoding: .utf8).contains(#""accept": null"#), "written through the link")
        #expect((try? String(contentsOfFile: created, encoding: .utf8))?.contains(#""accept": null"#) == true, "a link's missing target is made")
    }
}
