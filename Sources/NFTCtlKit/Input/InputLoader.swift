import Foundation
import NFTAnalysis

/// A ruleset file as nftctl reads it: the document it holds, where each entry came from,
/// and the tables it declares.
public struct LoadedInput: Sendable {
    public typealias Kind = InputKind
    public var path: String
    public var kind: Kind
    public var document: Document
    public var locations: [SourceLocation?]
    public var state: RulesetState
    /// Warnings about the file as written that the model cannot hold (`flush ruleset`, `delete table`).
    public var notes: [Diagnostic] = []
    /// For a JSON file read whole: the digest of its bytes (`UpToDate.digest`). The loader
    /// makes `state` of those bytes alone, so they are what `nftctl restore` saves
    /// (`recordApply`): written beside the saved ruleset while the apply runs
    /// (`StateStore.prepareCopy`), or, without that copy, read again if the file still has
    /// them. They are not kept in memory meanwhile (a 50k-rule file is 50 MB).
    public var sourceDigest: String?
    /// For a JSON file: the key of each rule entry (`document.entries[i]`) by its bytes as
    /// written, nil for other entries; empty for other inputs. The normal-form cache keys
    /// rules by these, where it can tell which entry each rule came from.
    var ruleEntryKeys: [NormalFormKey?] = []
    /// For a JSON file: where each entry of `document` is in its bytes (`AppliedBase`);
    /// empty for other inputs, or when the spans do not line up with the entries.
    var entrySpans: [Range<Int>] = []
}

public enum InputLoader {
    /// Reads FILE by its kind (`InputKind`): libnftables JSON (commands or a listing), nft
    /// syntax (parsed by libnftables in a throw-away namespace), or a rules program.
    public static func load(_ path: String) throws -> LoadedInput {
        switch try InputKind.of(path) {
        case .swift: return try loadSwift(path)
        case .nft: return try loadNft(path)
        case .json: return try loadJSON(path)
        }
    }

    /// The file's bytes (`FileBytes`), or why they cannot be read. A pipe or a device put in
    /// the file's place after its kind was decided is refused here too (`InputKind.isFileOrDirectory`).
    static func readBytes(_ path: String) throws -> [UInt8] {
        do {
            let (fd, st) = try FileBytes.open(path)
            defer { close(fd) }
            if !InputKind.isFileOrDirectory(st.st_mode) { throw Problem(InputKind.notAFile, file: path) }
            return try FileBytes.read(fd, size: Int(st.st_size))
        } catch let error as FileBytesError {
            throw Problem("cannot be read: \(error.message)", file: path)
        }
    }

    static func readText(_ path: String) throws -> String {
        guard let text = String(validating: try readBytes(path), as: UTF8.self) else { throw Problem("not UTF-8 text", file: path) }
        return text
    }

    public static func loadJSON(_ path: String, text: String? = nil) throws -> LoadedInput {
        try loadJSON(path, bytes: text.map { Array($0.utf8) })
    }

    /// `bytes`: the file's, when the caller has read them already (`UpToDate`), with their
    /// `digest` when it has that too.
    public static func loadJSON(_ path: String, bytes: [UInt8]?, digest: String? = nil) throws -> LoadedInput {
        let bytes = try bytes ?? readBytes(path)
        let (document, lines, keys, spans) = try decodeJSON(path, bytes: bytes)
        let locations = lines.map { Optional(SourceLocation(file: path, line: $0)) }
        var input = try finish(path: path, kind: .json, document: document, locations: locations)
        input.sourceDigest = digest
        input.ruleEntryKeys = keys
        input.entrySpans = spans
        return input
    }

    /// Parsed from the bytes read, and the JSON tree let go once decoded (on return): a file
    /// of megabytes is never held as Data, String, tree and model at once. With the
    /// document: each entry's line, and each rule entry's key by its bytes (hashed here,
    /// while the bytes are in hand).
    static func decodeJSON(_ path: String, bytes given: [UInt8]?) throws -> (Document, [Int], [NormalFormKey?], [Range<Int>]) {
        let json: JSON, lines: [Int], spans: [Range<Int>]
        let bytes = try given ?? readBytes(path)
        do {
            (json, lines, spans) = try bytes.withUnsafeBufferPointer { (buf) throws(JSONParseError) in
                try TwoThreadJSON.parseWithEntrySpans(buf)
            }
        } catch {
            throw Problem("\(path):\(error.line):\(error.column): invalid JSON: \(error.message)")
        }
        let document: Document
        do { document = try TwoThreadJSON.decode(json) } catch { throw error.placed(in: path) }
        guard spans.count == document.entries.count else { return (document, lines, [], []) }
        // By index: the entries are only looked at (zipping them would copy each one out).
        var keys: [NormalFormKey?] = []
        keys.reserveCapacity(spans.count)
        for k in spans.indices {
            keys.append(document.entries[k].isRule ? .rawEntry(bytes[spans[k]]) : nil)
        }
        return (document, lines, keys, spans)
    }

    public static func loadNft(_ path: String) throws -> LoadedInput {
        let (document, text) = try NftParser.parse(file: path)
        var state: RulesetState
        do { state = try RulesetState(document: document) } catch { throw error.placed(in: path) }
        NftSourceMap(text: text, file: path).locate(&state)
        var input = LoadedInput(path: path, kind: .nft, document: document, locations: [], state: state)
        input.notes = ignoredCommandNotes(text, file: path, declared: Set(state.keys))
        return input
    }

    /// `flush ruleset` in an `.nft` file: nft would delete every table, nftctl's and other
    /// programs' (Docker, fail2ban, …); nftctl only ever changes the tables a file declares.
    /// `delete table`: nft would delete it; nftctl applies what the file declares in the end,
    /// which a deleted table is not, and deletes tables only with `--prune`. Not when the
    /// file makes it again (`declared`: the tables it ends with), the usual way to start a
    /// table afresh, whose end nftctl reaches without deleting it.
    static func ignoredCommandNotes(_ text: String, file: String, declared: Set<TableKey> = []) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let code = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            for command in code.split(separator: ";") {
                let words = command.split(whereSeparator: { $0 == " " || $0 == "\t" })
                if (3...4).contains(words.count), words[0] == "delete", words[1] == "table",
                    !declared.contains(TableKey(family: words.count == 4 ? String(words[2]) : "ip", name: String(words[words.count - 1])))
                {
                    out.append(
                        Diagnostic(
                            .warning,
                            """
                            ignored: nftctl applies the tables this file declares in the end, and deletes a table it \
                            applied only with `apply --prune`, once no file declares it
                            """, object: words.joined(separator: " "), at: SourceLocation(file: file, line: i + 1)))
                }
                guard words.count == 2, words[0] == "flush", words[1] == "ruleset" else { continue }
                out.append(
                    Diagnostic(
                        .warning,
                        """
                        ignored: nftctl changes only the tables this file declares and leaves every other \
                        table (Docker's, fail2ban's, …) as it is
                        """, object: "flush ruleset", at: SourceLocation(file: file, line: i + 1)))
            }
        }
        return out
    }

    public static func loadSwift(_ path: String) throws -> LoadedInput {
        let loaded = try RulesLoader.load(path)
        return try finish(path: path, kind: .swift, document: loaded.document, locations: loaded.locations)
    }

    static func finish(path: String, kind: LoadedInput.Kind, document: Document, locations: [SourceLocation?]) throws -> LoadedInput {
        let unsupported = Validator.unsupportedParts(document, locations: locations, origin: path)
        if !unsupported.isEmpty {
            throw Problem(diagnostics: unsupported)
        }
        do {
            let state = try RulesetState(document: document, locations: locations)
            return LoadedInput(path: path, kind: kind, document: document, locations: locations, state: state)
        } catch {
            throw error.placed(in: path)
        }
    }
}

extension Document.Entry {
    /// A rule, as an element or in a command (the entries keyed by their bytes).
    fileprivate var isRule: Bool {
        switch self {
        case .item(.rule): return true
        case .command(let c): if case .rule = c.item { return true } else { return false }
        default: return false
        }
    }
}
