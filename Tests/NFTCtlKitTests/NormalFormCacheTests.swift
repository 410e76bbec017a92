import Foundation
import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// The normal-form cache: append-only records, a torn or garbled tail skipped, rules keyed by
/// their entry's bytes where that is sound. The kernel ones compare with the cache-less path
/// (`full`, what `NFTCTL_NO_NORMAL_CACHE` runs) on this kernel.
@Suite(.serialized) struct NormalFormCacheTests {
    static func rule(_ port: Int, chain: String = "input", comment: String? = nil) -> String {
        let c = comment.map { #", "comment": "\#($0)""# } ?? ""
        return
            #"{"add": {"rule": {"family": "inet", "table": "t", "chain": "\#(chain)", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": \#(port)}}, {"accept": null}]\#(c)}}}"#
    }

    /// `rule(22)` with other whitespace and key order.
    static let spaced22 = #"""
        {"add": {"rule": {"expr": [{"match": {"right": 22, "left": {"payload": {"field": "dport", "protocol": "tcp"}}, "op": "=="}},
            {"accept": null}],
          "chain": "input", "table": "t", "family": "inet"}}}
        """#

    /// A rule the kernel lists otherwise than written (an anonymous set, sorted).
    static let unsorted = #"""
        {"add": {"rule": {"family": "inet", "table": "t", "chain": "input", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": {"set": [443, 22, 80]}}}, {"drop": null}]}}}
        """#

    static func document(_ rules: [String], extra: [String] = []) -> String {
        let head = [
            #"{"add": {"table": {"family": "inet", "name": "t"}}}"#,
            #"{"add": {"chain": {"family": "inet", "table": "t", "name": "input", "type": "filter", "hook": "input", "prio": 0, "policy": "accept"}}}"#,
            #"{"add": {"chain": {"family": "inet", "table": "t", "name": "other"}}}"#
        ]
        return #"{"nftables": ["# + (head + rules + extra).joined(separator: ",\n") + "]}"
    }

    static func input(_ text: String) throws -> LoadedInput { try InputLoader.loadJSON("rules.json", text: text) }

    /// A private cache folder of its own.
    static func cache() throws -> (NormalizationCache, URL) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "nftctl-nfcache-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return (NormalizationCache(directory: root.appendingPathComponent("normal")), root)
    }

    static func recordsFile(_ c: NormalizationCache, _ input: LoadedInput) -> String { c.file(for: input.state.tables[0]).path }

    static func lines(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n", omittingEmptySubsequences: true).map(
            String.init)
    }

    static func same(_ a: DesiredState, _ b: DesiredState) -> Bool { a.state.listingItems == b.state.listingItems }

    // MARK: the records file, without a kernel

    @Test func onlyWholeRecordsAreRead() {
        let k1 = NormalFormKey.model("one"), k2 = NormalFormKey.model("two"), k3 = NormalFormKey.model("three")
        var bytes = NormalFormRecords.line(k1, Array(#"{"a":1}"#.utf8))
        var wrongLength = NormalFormRecords.line(k2, Array(#"{"b":2}"#.utf8))
        wrongLength.insert(UInt8(ascii: " "), at: wrongLength.count - 2)  // one byte more than it says
        bytes += wrongLength
        bytes += Array("zz not a key\n".utf8)
        bytes += NormalFormRecords.line(k3, Array(#"{"c":3}"#.utf8)).dropLast()  // a writer killed before the newline
        let r = NormalFormRecords(bytes: bytes)
        #expect(r.value(k1)?.serialized() == #"{"a":1}"#)
        #expect(r.index[k2] == nil)
        #expect(r.index[k3] == nil)
        #expect(r.endsMidLine)
        #expect(r.lines == 4)
    }

    /// A new records file beyond `keptFiles` makes the least recently written go, and old
    /// revisions' files with it; the others stay.
    @Test func aNewFileBeyondTheLimitRemovesTheOldestOnes() throws {
        let (cache, root) = try Self.cache()
        defer { try? FileManager.default.removeItem(at: root) }
        try cache.prepare()
        let dir = cache.directory.path
        for i in 0..<NormalizationCache.keptFiles {
            let path = "\(dir)/old\(i).records"
            #expect(FileManager.default.createFile(atPath: path, contents: Data("x".utf8)))
            var times = [timespec(tv_sec: 1_000_000 + i, tv_nsec: 0), timespec(tv_sec: 1_000_000 + i, tv_nsec: 0)]
            #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
        }
        #expect(FileManager.default.createFile(atPath: "\(dir)/revision3.json", contents: Data("{}".utf8)))
        let url = cache.directory.appendingPathComponent("new.records")
        cache.store([(NormalFormKey.model("r"), Array(#"{"a":1}"#.utf8))], live: [], old: NormalFormRecords(), at: url)
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: dir))
        #expect(left.count == NormalizationCache.keptFiles)
        #expect(left.contains("new.records") && !left.contains("old0.records") && left.contains("old1.records"))
        #expect(!left.contains("revision3.json"))
        // Appending to a file that is there makes no room.
        cache.store([(NormalFormKey.model("s"), Array(#"{"b":2}"#.utf8))], live: [], old: cache.load(url), at: url)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).count == NormalizationCache.keptFiles)
    }

    @Test func keysRoundTripThroughHex() {
        let k = NormalFormKey.rawEntry(ArraySlice(Array("some entry".utf8)))
        let hex = k.hex
        #expect(hex.count == 64)
        #expect(hex.withUnsafeBufferPointer { NormalFormKey(hex: $0) } == k)
        #expect(NormalFormKey.rawEntry(ArraySlice(Array("x".utf8))) != NormalFormKey.model("x"))
    }

    @Test func rulesAreKeyedByTheirEntryBytesWhenEachRuleIsItsOwnEntry() throws {
        let a = try Self.input(Self.document([Self.rule(22), Self.rule(80, chain: "other"), Self.rule(443)]))
        let byChain = try #require(NormalizationCache.entryKeysByChain(a))
        let keys = NormalizationCache.ruleKeys(a.state.tables[0], entries: byChain[a.state.tables[0].key])
        #expect(keys.count == 3)
        // The same rule with other whitespace and key order: another entry, another key.
        let b = try Self.input(Self.document([Self.spaced22, Self.rule(80, chain: "other"), Self.rule(443)]))
        #expect(b.state.tables[0].rules.map(\.value) == a.state.tables[0].rules.map(\.value))
        let keysB = NormalizationCache.ruleKeys(b.state.tables[0], entries: NormalizationCache.entryKeysByChain(b)?[b.state.tables[0].key])
        #expect(keysB[0] != keys[0])
        #expect(Array(keysB[1...]) == Array(keys[1...]))
        // Rules flushed after their entry are gone from the keys too.
        let flushed = try Self.input(
            Self.document(
                [Self.rule(22), Self.rule(80, chain: "other")],
                extra: [#"{"flush": {"chain": {"family": "inet", "table": "t", "name": "input"}}}"#, Self.rule(443)]))
        let f = NormalizationCache.ruleKeys(
            flushed.state.tables[0], entries: NormalizationCache.entryKeysByChain(flushed)?[flushed.state.tables[0].key])
        #expect(f == [keys[1], keys[2]])
    }

    @Test func rulesMovedOrRenamedAfterTheirEntryAreKeyedByTheModel() throws {
        let inserted = try Self.input(
            Self.document([Self.rule(22)], extra: [Self.rule(80).replacingOccurrences(of: #"{"add""#, with: #"{"insert""#)]))
        #expect(NormalizationCache.entryKeysByChain(inserted) == nil)
        let renamed = try Self.input(
            Self.document(
                [Self.rule(22, chain: "other")],
                extra: [#"{"rename": {"chain": {"family": "inet", "table": "t", "name": "other", "newname": "third"}}}"#]))
        #expect(NormalizationCache.entryKeysByChain(renamed) == nil)
        let t = renamed.state.tables[0]
        #expect(NormalizationCache.ruleKeys(t, entries: nil) == t.rules.map { NormalizationCache.key($0.value) })
        // An nft file or a rules program has no entry bytes.
        var noBytes = try Self.input(Self.document([Self.rule(22)]))
        noBytes.ruleEntryKeys = []
        #expect(NormalizationCache.entryKeysByChain(noBytes) == nil)
    }

    // MARK: with the kernel

    @Test(.needsRoot) func oneNewRuleAppendsOneRecordAndTheOthersAreStillServed() throws {
        let (cache, root) = try Self.cache()
        defer { try? FileManager.default.removeItem(at: root) }
        let ports = Array(1000..<1020)
        let first = try Self.input(Self.document(ports.map { Self.rule($0) }))
        #expect(Self.same(try cache.normalize(first), try cache.full(first)))
        let path = Self.recordsFile(cache, first)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(Self.lines(path).count == ports.count + 1)  // the rules and the declarations

        // Serve a planted normal form for port 1005 (the test's own private file), to see
        // what comes from the cache and what from the kernel.
        let key = NormalizationCache.ruleKeys(
            first.state.tables[0], entries: NormalizationCache.entryKeysByChain(first)?[first.state.tables[0].key])[5]
        let planted = try Self.input(Self.document([Self.rule(1005, comment: "from the cache")])).state.tables[0].rules[0].value
        var text = before
        text.append(contentsOf: NormalFormRecords.line(key, Array(RulesetItem.rule(planted).json.serialized().utf8)))
        try text.write(to: URL(fileURLWithPath: path))
        let plantedLines = Self.lines(path).count

        // Rules the kernel keeps as written are recorded as such (nothing to decode when
        // served); the rest with their normal form.
        let written = Self.lines(path).filter { $0.hasSuffix(" 1 0") }.count
        #expect(written >= ports.count - 1)

        let second = try Self.input(Self.document(ports.map { Self.rule($0) } + [Self.rule(2000)]))
        let got = try cache.normalize(second)
        #expect(got.state.tables[0].rules[5].value.comment == "from the cache")
        #expect(got.state.tables[0].rules.count == ports.count + 1)
        var expected = try cache.full(second).state, served = got.state
        expected.tables[0].rules.remove(at: 5)
        served.tables[0].rules.remove(at: 5)
        #expect(served.listingItems == expected.listingItems)
        let after = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(after.prefix(text.count) == text)  // appended, not rewritten
        #expect(Self.lines(path).count == plantedLines + 1)
    }

    @Test(.needsRoot) func aFileGrownWellBeyondItsLiveRecordsIsRewrittenWithThemOnly() throws {
        let (cache, root) = try Self.cache()
        defer { try? FileManager.default.removeItem(at: root) }
        let first = try Self.input(Self.document([Self.rule(22), Self.rule(80)]))
        _ = try cache.normalize(first)
        let path = Self.recordsFile(cache, first)
        let live = Self.lines(path)
        #expect(live.count == 3)
        // Records no input uses any more (rules since changed), many times the live ones.
        var grown = try Data(contentsOf: URL(fileURLWithPath: path))
        for n in 0..<200 { grown.append(contentsOf: NormalFormRecords.line(.model("stale \(n)"), NormalFormRecords.asWritten)) }
        try grown.write(to: URL(fileURLWithPath: path))
        let got = try cache.normalize(first)
        #expect(Self.same(got, try cache.full(first)))
        #expect(Set(Self.lines(path)) == Set(live))
    }

    @Test(.needsRoot) func aTornOrGarbledTailIsSkippedAndTheResultIsRight() throws {
        let (cache, root) = try Self.cache()
        defer { try? FileManager.default.removeItem(at: root) }
        let ports = Array(3000..<3010)
        let first = try Self.input(Self.document(ports.map { Self.rule($0) }))
        _ = try cache.normalize(first)
        let path = Self.recordsFile(cache, first)
        // The records of 3003 and 3004 replaced by broken ones: a length that does not
        // match, then one cut short without its newline (a writer killed mid-write).
        let keys = NormalizationCache.ruleKeys(
            first.state.tables[0], entries: NormalizationCache.entryKeysByChain(first)?[first.state.tables[0].key])
        let hex3 = String(decoding: keys[3].hex, as: UTF8.self), hex4 = String(decoding: keys[4].hex, as: UTF8.self)
        var kept = Self.lines(path).filter { !$0.hasPrefix(hex3) && !$0.hasPrefix(hex4) }
        let wrong = try Self.input(Self.document([Self.rule(9999)])).state.tables[0].rules[0].value
        let wrongJSON = RulesetItem.rule(wrong).json.serialized()
        kept.append("\(hex3) \(wrongJSON.utf8.count + 1) \(wrongJSON)")
        var body = kept.joined(separator: "\n") + "\n"
        body += "\(hex4) \(wrongJSON.utf8.count) \(wrongJSON)".dropLast(3)
        try body.write(toFile: path, atomically: false, encoding: .utf8)

        let got = try cache.normalize(first)
        #expect(Self.same(got, try cache.full(first)))
        #expect(!got.state.tables[0].rules.contains { $0.value == wrong })
        // The next run finds the two rules the kernel gave again, on lines of their own.
        let reread = cache.load(URL(fileURLWithPath: path))
        #expect(reread.index[keys[3]] != nil && reread.index[keys[4]] != nil)
        #expect(Self.same(try cache.normalize(first), try cache.full(first)))
    }

    @Test(.needsRoot) func aRecordsFileOthersCanWriteIsNotRead() throws {
        let (cache, root) = try Self.cache()
        defer { try? FileManager.default.removeItem(at: root) }
        let first = try Self.input(Self.document([Self.rule(22), Self.rule(80)]))
        _ = try cache.normalize(first)
        let path = Self.recordsFile(cache, first)
        let key = NormalizationCache.ruleKeys(
            first.state.tables[0], entries: NormalizationCache.entryKeysByChain(first)?[first.state.tables[0].key])[0]
        let planted = try Self.input(Self.document([Self.rule(22, comment: "planted")])).state.tables[0].rules[0].value
        var text = try Data(contentsOf: URL(fileURLWithPath: path))
        text.append(contentsOf: NormalFormRecords.line(key, Array(RulesetItem.rule(planted).json.serialized().utf8)))
        try text.write(to: URL(fileURLWithPath: path))
        #expect(chmod(path, 0o666) == 0)
        let got = try cache.normalize(first)
        #expect(got.state.tables[0].rules[0].value.comment == nil)
        #expect(Self.same(got, try cache.full(first)))
    }

    @Test(.needsRoot) func whitespaceAndKeyOrderInsideARuleGiveTheSameNormalForm() throws {
        let (cache, root) = try Self.cache()
        defer { try? FileManager.default.removeItem(at: root) }
        let plain = try Self.input(Self.document([Self.rule(22), Self.rule(80)]))
        let spaced = try Self.input(Self.document([Self.spaced22, Self.rule(80)]))
        let a = try cache.normalize(plain), b = try cache.normalize(spaced)
        #expect(Self.same(a, try cache.full(plain)))
        #expect(Self.same(b, try cache.full(spaced)))
        #expect(Self.same(a, b))
        // And again, now both from the cache.
        #expect(Self.same(try cache.normalize(spaced), b))
        #expect(Self.same(try cache.normalize(plain), a))
    }

    @Test(.needsRoot) func aChangedRuleIsNeverServedItsOldNormalForm() throws {
        let (cache, root) = try Self.cache()
        defer { try? FileManager.default.removeItem(at: root) }
        let old = try Self.input(Self.document([Self.rule(22), Self.rule(80), Self.rule(443)]))
        _ = try cache.normalize(old)
        let changed = try Self.input(Self.document([Self.rule(22), Self.rule(8080), Self.rule(443), Self.unsorted]))
        let got = try cache.normalize(changed)
        #expect(Self.same(got, try cache.full(changed)))
        #expect(!Self.same(got, try cache.full(old)))
        // The set's normal form (not the rule as written) is recorded and served.
        #expect(Self.lines(Self.recordsFile(cache, changed)).contains { $0.contains(#""set":[22,80,443]"#) })
        #expect(Self.same(try cache.normalize(changed), got))
        // Moved to another chain with the same bytes otherwise: not the old chain's form.
        let moved = try Self.input(Self.document([Self.rule(22), Self.rule(80, chain: "other"), Self.rule(443)]))
        #expect(Self.same(try cache.normalize(moved), try cache.full(moved)))
    }
}
