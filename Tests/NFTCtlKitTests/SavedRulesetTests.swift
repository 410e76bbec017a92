import Foundation
import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// The saved ruleset's merge (`StateStore.recordApply`): an apply that replaces every saved
/// table skips decoding the old file, but only on the word of a table list whose digest
/// matches the file; anything else is decoded and merged table by table. No kernel needed.
@Suite struct SavedRulesetTests {
    static func table(_ name: String, _ port: Int) throws -> LoadedInput {
        try PlanKernelTests.input(
            "table inet \(name) {\n\tchain input {\n\t\ttype filter hook input priority 0; policy accept;\n\t\ttcp dport \(port) accept\n\t}\n}\n",
            "saved-\(name)")
    }

    static func savedTables(_ store: StateStore) throws -> [String] {
        try #require(try store.savedRuleset()).state.keys.map(\.description).sorted()
    }

    @Test func applyingEverySavedTableAgainReplacesThemAndKeepsNoOldRule() throws {
        let dir = ApplySafety.stateDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = StateStore(root: dir, netns: "saved")
        #expect(store.recordApply(try Self.table("a", 22), pruned: [], generation: 1, confirming: nil).isEmpty)
        #expect(store.recordApply(try Self.table("b", 80), pruned: [], generation: 2, confirming: nil).isEmpty)
        #expect(try Self.savedTables(store) == ["inet a", "inet b"])
        #expect(store.savedTables() == [TableKey(family: "inet", name: "a"), TableKey(family: "inet", name: "b")])
        // Only a: b survives the merge (the list says a and b, not a subset of what is replaced).
        #expect(store.recordApply(try Self.table("a", 443), pruned: [], generation: 3, confirming: nil).isEmpty)
        #expect(try Self.savedTables(store) == ["inet a", "inet b"])
        // a pruned, b replaced: every saved table goes, only the new b is left, with its new rule.
        let b = try Self.table("b", 8080)
        #expect(store.recordApply(b, pruned: [TableKey(family: "inet", name: "a")], generation: 4, confirming: nil).isEmpty)
        let saved = try #require(try store.savedRuleset())
        #expect(saved.state.keys.map(\.description) == ["inet b"])
        #expect(saved.state.tables.first?.rules.count == 1)
        #expect(saved.state.tables.first?.rules.map(\.value) == b.state.tables.first?.rules.map(\.value))
    }

    /// A JSON file that replaces every saved table is saved as it was read (no second
    /// serialisation), and loads back to the same tables; staged for `--confirm`, or merged
    /// with a table it does not replace, it is written as a batch as before.
    /// A JSON file on disk in `dir`, loaded as `nftctl apply` loads it (with its digest).
    static func file(_ dir: String, _ name: String, _ table: String, _ ports: [Int]) throws -> (LoadedInput, [UInt8]) {
        let bytes = Array((#"{"nftables": ["# + ApplyPipelineTests.tableJSON(table, ports: ports) + "]}").utf8)
        let path = dir + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return (try InputLoader.loadJSON(path, bytes: bytes, digest: UpToDate.digest(bytes)), bytes)
    }

    @Test func aJSONFileReplacingEverySavedTableIsSavedAsRead() throws {
        let dir = ApplySafety.stateDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = StateStore(root: dir, netns: "as-read")
        #expect(store.recordApply(try Self.file(dir, "a1.json", "a", [22]).0, pruned: [], generation: 1, confirming: nil).isEmpty)
        let (a, aBytes) = try Self.file(dir, "a.json", "a", [22, 80])
        #expect(store.recordApply(a, pruned: [], generation: 2, confirming: nil).isEmpty)
        let written = try #require(FileManager.default.contents(atPath: store.rulesetFile.path))
        #expect([UInt8](written) == aBytes)
        #expect(store.savedTables() == [TableKey(family: "inet", name: "a")])
        #expect(
            try #require(try store.savedRuleset()).state.tables.map(\.rules).map { $0.map(\.value) }
                == a.state.tables.map(\.rules).map { $0.map(\.value) })
        // Staged for a confirmation: the saved file stays, the staged one is a batch.
        let staged = try Self.file(dir, "staged.json", "a", [443]).0
        #expect(store.recordApply(staged, pruned: [], generation: 3, confirming: "1.0-1").isEmpty)
        #expect(FileManager.default.contents(atPath: store.rulesetFile.path) == written)
        #expect(try #require(try store.savedRuleset(staged: true)).state.tables.first?.rules.count == 1)
        // b beside a: the merge keeps a, so the file is not b's bytes.
        let (b, bBytes) = try Self.file(dir, "b.json", "b", [25])
        #expect(store.recordApply(b, pruned: [], generation: 4, confirming: nil).isEmpty)
        #expect(try Self.savedTables(store) == ["inet a", "inet b"])
        #expect(try [UInt8](#require(FileManager.default.contents(atPath: store.rulesetFile.path))) != bBytes)
    }

    /// The file was changed after the apply read it: what is saved is what was applied
    /// (serialised), never the file's new content.
    @Test func aJSONFileChangedSinceItWasReadIsNotSavedAsItIsNow() throws {
        let dir = ApplySafety.stateDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = StateStore(root: dir, netns: "changed")
        let (applied, _) = try Self.file(dir, "c.json", "c", [22])
        let (_, now) = try Self.file(dir, "c.json", "c", [23])  // the same path, new content
        #expect(store.recordApply(applied, pruned: [], generation: 1, confirming: nil).isEmpty)
        #expect(try [UInt8](#require(FileManager.default.contents(atPath: store.rulesetFile.path))) != now)
        #expect(
            try #require(try store.savedRuleset()).state.tables.map(\.rules).map { $0.map(\.value) }
                == applied.state.tables.map(\.rules).map { $0.map(\.value) })
    }

    @Test func aHandEditedSavedRulesetIsDecodedNotTakenOnItsList() throws {
        let dir = ApplySafety.stateDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = StateStore(root: dir, netns: "edited")
        #expect(store.recordApply(try Self.table("a", 22), pruned: [], generation: 1, confirming: nil).isEmpty)
        // Someone adds table c to ruleset.json by hand: the list (only a) no longer matches.
        let c = try Self.table("c", 25)
        var both = try #require(try store.savedRuleset()).state
        both.tables += c.state.tables
        let bytes = Data(both.creationBatch().document.json.serialized(.pretty).utf8)
        try bytes.write(to: store.rulesetFile)
        #expect(store.savedTables() == nil)
        // Applying a again keeps c: the file was decoded and merged, not replaced on the list's word.
        #expect(store.recordApply(try Self.table("a", 23), pruned: [], generation: 2, confirming: nil).isEmpty)
        #expect(try Self.savedTables(store) == ["inet a", "inet c"])
    }

    /// The hidden files beside `ruleset.json` (copies being written or left behind).
    static func hiddenCopies(_ store: StateStore) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: store.directory.path).filter { $0.hasPrefix(".ruleset.json.") }
    }

    /// The bytes an apply read, written beside the saved ruleset while it ran, become the
    /// saved ruleset by a rename, even when the file has changed since (they are what was
    /// applied); a copy of other bytes than the input's is never published; a copy that is
    /// not used (`--confirm`, a merge) is removed. No hidden file is left in any case.
    @Test func aCopyWrittenDuringTheApplyIsPublishedOnlyForTheBytesApplied() throws {
        let dir = ApplySafety.stateDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = StateStore(root: dir, netns: "copy")
        let (a, aBytes) = try Self.file(dir, "a.json", "a", [22, 80])
        let copy = store.prepareCopy(aBytes, digest: try #require(a.sourceDigest))
        _ = try Self.file(dir, "a.json", "a", [9])  // edited after it was read
        #expect(store.recordApply(a, pruned: [], generation: 1, confirming: nil, copy: copy).isEmpty)
        #expect(try [UInt8](#require(FileManager.default.contents(atPath: store.rulesetFile.path))) == aBytes)
        #expect(store.savedTables() == [TableKey(family: "inet", name: "a")])
        #expect(try Self.hiddenCopies(store).isEmpty)

        // Another file's bytes under this input: not published; the input is saved from its own.
        let (b, bBytes) = try Self.file(dir, "b.json", "a", [443])
        let wrong = store.prepareCopy(aBytes, digest: UpToDate.digest(aBytes))
        #expect(store.recordApply(b, pruned: [], generation: 2, confirming: nil, copy: wrong).isEmpty)
        #expect(try [UInt8](#require(FileManager.default.contents(atPath: store.rulesetFile.path))) == bBytes)
        #expect(try Self.hiddenCopies(store).isEmpty)

        // Staged for a confirmation, or merged beside a table it does not replace: discarded.
        let (c, cBytes) = try Self.file(dir, "c.json", "a", [25])
        #expect(
            store.recordApply(c, pruned: [], generation: 3, confirming: "1.0-1", copy: store.prepareCopy(cBytes, digest: c.sourceDigest!))
                .isEmpty)
        #expect(try [UInt8](#require(FileManager.default.contents(atPath: store.rulesetFile.path))) == bBytes)
        let (d, dBytes) = try Self.file(dir, "d.json", "d", [26])
        #expect(
            store.recordApply(d, pruned: [], generation: 4, confirming: nil, copy: store.prepareCopy(dBytes, digest: d.sourceDigest!))
                .isEmpty)
        #expect(try Self.savedTables(store) == ["inet a", "inet d"])
        #expect(try Self.hiddenCopies(store).isEmpty)

        // An apply that fails discards its copy.
        store.prepareCopy(dBytes, digest: d.sourceDigest!).discard()
        #expect(try Self.hiddenCopies(store).isEmpty)
    }

    /// A copy left by a killed apply is removed by the next one; a live process's is not.
    @Test func aCopyLeftByAKilledApplyIsRemoved() throws {
        let dir = ApplySafety.stateDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = StateStore(root: dir, netns: "abandoned")
        try store.ensureDirectories()
        // A pid no process has (from the top of the range, where pids are rarely in use).
        let max =
            Int32(try String(contentsOfFile: "/proc/sys/kernel/pid_max", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines))
            ?? 32768
        let free = try #require((2..<max).reversed().first { kill($0, 0) != 0 && errno == ESRCH })
        let dead = "\(store.directory.path)/.ruleset.json.\(free).17"
        let alive = "\(store.directory.path)/.ruleset.json.1.18"  // init
        for f in [dead, alive] { try Data("{}".utf8).write(to: URL(fileURLWithPath: f)) }
        let (a, aBytes) = try Self.file(dir, "a.json", "a", [22])
        #expect(
            store.recordApply(a, pruned: [], generation: 1, confirming: nil, copy: store.prepareCopy(aBytes, digest: a.sourceDigest!))
                .isEmpty)
        let left = try Self.hiddenCopies(store)
        #expect(left == [".ruleset.json.1.18"])
    }
}
