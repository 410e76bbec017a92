import Foundation
import NFTAnalysis

/// libnftables 1.0.6's JSON listing leaves out what its text listing shows: table flags
/// (printed as garbage, or cutting the output short) and comments, chain comments and
/// base-chain devices, `typeof` (listed as bare datatypes), the `dynamic` set flag,
/// `auto-merge`. One mechanism recovers all of them: the same scope is also listed as
/// text, the declaration lines of each table, chain, set and map are read from it
/// (`TextListing`), and they replace the JSON's account of the same attributes.
/// Statements 1.0.6 lists only as text already come back as text statements.
enum ListingRepair {
    /// `scope`: `ruleset` or `table FAMILY NAME`. Usually by parts (`listByParts`), at about
    /// the cost of the JSON listing alone; from the whole text listing where a table has
    /// flags or a name nft syntax cannot carry, or `NFTCTL_FULL_TEXT_LISTING` is set.
    static func list(_ scope: String, context: NFTContext, fullText: Bool = fullTextOnly) throws(BackendError) -> Document {
        if !fullText, let doc = try listByParts(scope, context: context) { return doc }
        return try listWithFullText(scope, context: context)
    }

    static let fullTextOnly = Environment.value("NFTCTL_FULL_TEXT_LISTING") != nil

    /// Chains that need their rules listed as text, above which the whole scope is listed as text in one call.
    static let chainsListedOneByOne = 4

    /// The JSON listing, and as text only what it loses: tables' flags and comments from the
    /// kernel (`KernelTables`), chain declarations (`list chains`, no rules), set and map
    /// declarations with their elements, and the rules of only those chains holding a rule
    /// whose JSON may not say what nft's text says (`ListedRuleShape`). Nil where this
    /// cannot be done (a flagged table, a name that is not an identifier, no such table):
    /// the caller then lists the whole text.
    static func listByParts(_ scope: String, context: NFTContext) throws(BackendError) -> Document? {
        let kernelTables: [KernelTables.Table]
        do { kernelTables = try context.perform { () throws(BackendError) in try KernelTables.read() } } catch { return nil }
        let only = scopeTable(scope)
        let tables = kernelTables.filter { t in only.map { $0.family == t.family && $0.name == t.name } ?? true }
        if only != nil && tables.isEmpty { return nil }
        guard tables.allSatisfy({ $0.flags == 0 && TextBatch.isListableName($0.name) }) else { return nil }

        let raw = try context.run(json: #"{"nftables": [{"list": {"# + jsonScope(scope) + "}}]}", dryRun: false)
        guard let parsed = try? Document.parse(raw) else { return nil }
        let sets = only.map { "list sets table \($0.family) \($0.name)" } ?? "list sets"
        var listing = TextListing(try context.run("list chains; \(sets); list maps", flags: [.handle, .terse], dryRun: false))
        guard try listElements(of: parsed, into: &listing, context: context) else { return nil }
        var chains: [String] = []
        for case .item(.rule(let r)) in parsed.entries where ListedRuleShape.needsText(r) {
            guard TextBatch.isListableName(r.chain), TextBatch.isListableName(r.table) else { return nil }
            let c = "chain \(r.family) \(r.table) \(r.chain)"
            if chains.last != c && !chains.contains(c) { chains.append(c) }
        }
        if chains.count > chainsListedOneByOne { chains = [scope] }
        // One call each: 1.0.6 applies one command's cache filter to the next in the same
        // buffer. Terse: set elements were read above already.
        for c in chains { listing.merge(TextListing(try context.run("list " + c, flags: [.handle, .terse], dryRun: false))) }
        return repair(parsed, from: listing, kernelTables: tables)
    }

    /// `repair`, with the text listing's tables those of `tables` (read from the kernel,
    /// `KernelTables`) and each table's comment the kernel's.
    static func repair(_ doc: Document, from text: TextListing, kernelTables tables: [KernelTables.Table]) -> Document {
        var listing = text
        listing.tables = listing.tables.filter { t in tables.contains { $0.family == t.family && $0.name == t.name } }
        for t in tables where listing.table(t.family, t.name) == nil {
            listing.tables.append(TextListing.TableDecl(family: t.family, name: t.name))
        }
        for i in listing.tables.indices {
            let t = listing.tables[i]
            listing.tables[i].comment = tables.first { $0.family == t.family && $0.name == t.name }?.comment
        }
        return repair(doc, from: listing)
    }

    /// Table `name` of `family` without its rules (`KernelRuleBytes` accounts for those): the
    /// table from the kernel (`KernelTables`), its chains, sets and maps as JSON (`list
    /// chains`, `list sets table`, `list maps`, then `list set` for each set's elements but
    /// those of `keysRead`, which the caller reads itself: no rule is dumped or decoded),
    /// repaired from
    /// the same lists as text. Nil where `listByParts` would be: a flagged table, a name that
    /// is not an identifier, no such table.
    static func listDeclarations(
        family: String, name: String, context: NFTContext, keysRead: Set<String> = []
    ) throws(BackendError) -> Document? {
        let kernelTables: [KernelTables.Table]
        do { kernelTables = try context.perform { () throws(BackendError) in try KernelTables.read() } } catch { return nil }
        guard let table = kernelTables.first(where: { $0.family == family && $0.name == name }), table.flags == 0,
            TextBatch.isListableName(name), Family(rawValue: family) != nil
        else { return nil }
        let lists = "list chains \(family); list sets table \(family) \(name); list maps \(family)"
        // One document a line, one per command; terse: the elements come set by set below.
        let raw = try context.run(lists, flags: [.json, .handle, .terse], dryRun: false)
        var entries: [Document.Entry] = [.item(.table(Table(family: family, name: name)))]
        for line in raw.split(separator: "\n") where !line.isEmpty {
            guard let doc = try? Document.parse(String(line)) else { return nil }
            entries += doc.entries.filter { e in
                if case .item(let i) = e, case .metainfo = i { return false }
                if case .item(let i) = e, let k = i.tableKey { return k.family == family && k.name == name }
                return false
            }
        }
        // Upstream 1.0.6 lists no elements with `list sets` (Debian's adds them back): each
        // set's elements come from a `list set` of its own, which always has them, but for
        // the sets whose keys the caller reads itself (`keysRead`).
        for (i, entry) in entries.enumerated() {
            guard case .item(.set(var set)) = entry else { continue }
            if !set.isMap, keysRead.contains(set.name) {
                set.elem = nil
                entries[i] = .item(.set(set))
                continue
            }
            guard TextBatch.isListableName(set.name) else { return nil }
            let raw = try context.run(
                "list \(set.isMap ? "map" : "set") \(family) \(name) \(set.name)", flags: [.json, .handle], dryRun: false)
            guard let doc = try? Document.parse(raw),
                let own = doc.items.first(where: { item in
                    if case .set(let s) = item { return s.name == set.name && s.isMap == set.isMap }
                    return false
                })
            else { return nil }
            entries[i] = .item(own)
        }
        var listing = TextListing(try context.run(lists, flags: [.handle, .terse], dryRun: false))
        guard try listElements(of: Document(entries), into: &listing, context: context) else { return nil }
        return repair(Document(entries), from: listing, kernelTables: [table])
    }

    /// The elements' text of the sets in `doc` whose elements the JSON does not say in full
    /// (`SetDecl.needsElements`), each listed alone into `listing`, a terse text listing:
    /// at 50k plain elements, the text of all of them cost as much again as their JSON (and
    /// more to read), for nothing the JSON lacked. False where a set cannot be named in nft
    /// syntax (the caller lists the whole text).
    static func listElements(of doc: Document, into listing: inout TextListing, context: NFTContext) throws(BackendError) -> Bool {
        for case .item(.set(let s)) in doc.entries {
            guard let decl = listing.table(s.family, s.table)?.sets.first(where: { $0.name == s.name && $0.isMap == s.isMap }),
                decl.needsElements(s)
            else { continue }
            guard TextBatch.isListableName(s.name), TextBatch.isListableName(s.table) else { return false }
            let text = try context.run("list \(s.isMap ? "map" : "set") \(s.family) \(s.table) \(s.name)", flags: [.handle], dryRun: false)
            listing.takeSetLines(from: TextListing(text))
        }
        return true
    }

    /// `table FAMILY NAME` → the table; nil for `ruleset`.
    static func scopeTable(_ scope: String) -> (family: String, name: String)? {
        let words = scope.split(separator: " ").map(String.init)
        return words.count == 3 && words[0] == "table" ? (words[1], words[2]) : nil
    }

    /// The text listing of the whole scope, and the JSON listing repaired from it.
    static func listWithFullText(_ scope: String, context: NFTContext) throws(BackendError) -> Document {
        let text = try context.run("list " + scope, flags: [.handle], dryRun: false)
        let listing = TextListing(text)
        // 1.0.6 prints a flagged table's flags from freed memory, which can corrupt the
        // heap (seen: "corrupted double-linked list" aborts); such tables are listed as
        // JSON only chain by chain, set by set and object by object (`objectByObject`).
        let flagged = listing.tables.filter { !$0.flags.isEmpty }
        guard !flagged.isEmpty else {
            let raw = try context.run(json: #"{"nftables": [{"list": {"# + jsonScope(scope) + "}}]}", dryRun: false)
            guard let clean = dropTableFlags(raw), let parsed = try? Document.parse(clean) else {
                return repair(try objectByObject(listing, context: context), from: listing)
            }
            return repair(parsed, from: listing)
        }
        var entries: [Document.Entry] = []
        for t in listing.tables {
            if t.flags.isEmpty {
                let raw = try context.run(
                    json: #"{"nftables": [{"list": {"# + jsonScope("table \(t.family) \(t.name)") + "}}]}",
                    dryRun: false)
                guard let parsed = try? Document.parse(raw) else {
                    throw .invalidResponse("list table \(t.family) \(t.name): libnftables output is not a JSON document")
                }
                entries += parsed.entries.filter {
                    if case .item(.metainfo) = $0 { return false }; return true
                }
            } else {
                var one = listing
                one.tables = [t]
                entries += try objectByObject(one, context: context).entries
            }
        }
        return repair(Document(entries), from: listing)
    }

    static func jsonScope(_ scope: String) -> String {
        let words = scope.split(separator: " ").map(String.init)
        if words.count == 3, words[0] == "table" {
            let cmd: JSON = ["family": .string(words[1]), "name": .string(words[2])]
            return "\"table\": " + cmd.serialized()
        }
        return "\"ruleset\": null"
    }

    /// 1.0.6 prints a table's flags from freed memory: a random string, or bytes that end
    /// the output early. The flags come from the text listing instead; the JSON is usable
    /// when each such value is a complete string (nil otherwise).
    static func dropTableFlags(_ raw: String) -> String? {
        // On bytes: a 10k-rule listing is megabytes, and Foundation's `range(of:)` over it
        // was a visible share of every listing.
        let bytes = Array(raw.utf8)
        let key = Array(#", "flags": "#.utf8), table = Array(#"{"table": {"#.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0, copied = 0
        // Start of the innermost `{` seen since the last `{"table": {`, to tell a table's flags from others'.
        var inTable = false
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "{") {
                inTable = ByteSearch.matches(table, in: bytes, at: i)
                i += inTable ? table.count : 1
                continue
            }
            guard inTable, bytes[i] == UInt8(ascii: ","), ByteSearch.matches(key, in: bytes, at: i) else { i += 1; continue }
            // `, "flags": "...` up to the closing quote, which must end the table object.
            var j = i + key.count
            guard j < bytes.count, bytes[j] == UInt8(ascii: "\"") else { return nil }
            j += 1
            while j < bytes.count, bytes[j] != UInt8(ascii: "\"") { j += 1 }
            guard j + 1 < bytes.count, bytes[j + 1] == UInt8(ascii: "}") else { return nil }
            out += bytes[copied..<i]
            copied = j + 1
            i = j + 1
            inTable = false
        }
        if copied == 0 { return raw }
        out += bytes[copied...]
        return String(decoding: out, as: UTF8.self)
    }

    /// When the JSON listing is cut short, and for tables with flags: every chain, set, map
    /// and object of the text listing listed one by one (those listings carry no table),
    /// tables from the text listing. The commands are JSON, which takes any name: in nft
    /// syntax a table named like a keyword of a kind (`helpers` after `ct helper`) cannot be
    /// named. Only the item asked for is kept, and it must come back exactly once.
    static func objectByObject(_ listing: TextListing, context: NFTContext) throws(BackendError) -> Document {
        var entries: [Document.Entry] = []
        for t in listing.tables {
            entries.append(.item(.table(Table(family: t.family, name: t.name))))
            var commands: [(kind: String, name: String)] = []
            for s in t.sets { commands.append((s.isMap ? "map" : "set", s.name)) }
            for c in t.chains { commands.append(("chain", c.name)) }
            for o in t.objects where ObjectKind(rawValue: o.kind) != nil { commands.append((o.kind, o.name)) }
            for (kind, name) in commands {
                let what = "\(kind) \(t.family) \(SafeText.quoted(t.name)) \(SafeText.quoted(name))"
                guard !unlistableKinds.contains(kind) else {
                    // Short: a sandbox's message is cut to a line's width.
                    throw .unsupported("libnftables 1.0.6 cannot list \(what), in a table with flags")
                }
                let request: JSON = ["family": .string(t.family), "table": .string(t.name), "name": .string(name)]
                let cmd: JSON = ["nftables": .array([["list": .object(JSONObject([(kind, request)]))]])]
                let out = try context.run(json: cmd.serialized(), dryRun: false)
                guard let d = try? Document.parse(out) else {
                    throw .invalidResponse("list \(what): libnftables output is not a JSON document")
                }
                var asked = 0
                for case .item(let item) in d.entries where item.tableKey == TableKey(family: t.family, name: t.name) {
                    switch item {
                    case .chain(let c) where kind == "chain" && c.name == name: asked += 1
                    case .rule(let r) where kind == "chain" && r.chain == name: break
                    case .set(let s) where kind == (s.isMap ? "map" : "set") && s.name == name: asked += 1
                    case .object(let k, let o) where k.rawValue == kind && o.name == name: asked += 1
                    default: continue
                    }
                    entries.append(.item(item))
                }
                guard asked == 1 else { throw .invalidResponse("list \(what): libnftables listed it \(asked) times") }
            }
        }
        return Document(entries)
    }

    /// Object kinds 1.0.6's JSON `list` command does not list (`ct timeout` lists chains,
    /// `ct expectation` the whole ruleset, `synproxy` is unknown to it), whose nft-syntax
    /// `list` aborts with JSON output: in a table with flags they cannot be read at all.
    static let unlistableKinds: Set<String> = ["ct timeout", "ct expectation", "synproxy"]

    /// The JSON listing with the text listing's declarations.
    static func repair(_ listing: Document, from text: TextListing) -> Document {
        var doc = listing
        for (i, entry) in doc.entries.enumerated() {
            guard case .item(let item) = entry else { continue }
            switch item {
            case .table(var t):
                guard let decl = text.table(t.family, t.name) else { continue }
                t.flags = decl.flags.isEmpty ? nil : FlagList(decl.flags)
                t.comment = decl.comment
                doc.entries[i] = .item(.table(t))
            case .chain(var c):
                guard let decl = text.table(c.family, c.table)?.chains.first(where: { $0.name == c.name }) else { continue }
                c.comment = decl.comment
                if let devices = decl.devices, c.dev == nil { c.dev = FlagList(devices, scalar: devices.count == 1) }
                doc.entries[i] = .item(.chain(c))
            case .rule(var r):
                // Where the JSON's rule does not print as nft lists it, the JSON is wrong
                // (1.0.6 bugs: `ip6 dscp` in concatenations, raw payload masks, the order of
                // anonymous sets): nft's own text of the rule is kept instead.
                guard let h = r.handle,
                    let listed = text.table(r.family, r.table)?.chains.first(where: { $0.name == r.chain })?.rules[h]
                else { continue }
                TextListing.ruleTimes(listed, into: &r)
                let printed = r.nftText(context: PrintContext(family: r.family))
                // Kept folded onto one line (`jump { counter; accept; }`), as plans and
                // imports show it and as it is sent back.
                if !sameRule(printed, listed), let folded = try? TextBatch.foldedStatement(listed) {
                    r.expr = [.text(folded)]
                    r.comment = nil
                }
                doc.entries[i] = .item(.rule(r))
            case .set(var s):
                guard let decl = text.table(s.family, s.table)?.sets.first(where: { $0.name == s.name && $0.isMap == s.isMap })
                else { continue }
                decl.apply(to: &s)
                doc.entries[i] = .item(.set(s))
            default: continue
            }
        }
        return doc
    }

    /// The rule as nft printed it and as the JSON prints it, the same once counter values,
    /// quota use and expiry (which move between two listings) are masked.
    static func sameRule(_ a: String, _ b: String) -> Bool { a == b || masked(a) == masked(b) }

    /// Counter values, quota use and expiry move between two listings: not a difference.
    /// `packets N bytes N`, `used X` and `expires X` are dropped (one pass over the bytes:
    /// this runs for every rule of every listing).
    static func masked(_ rule: String) -> String {
        let b = Array(rule.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        func run(from i: Int, _ allowed: (UInt8) -> Bool) -> Int {
            var j = i
            while j < b.count, allowed(b[j]) { j += 1 }
            return j
        }
        let digit = { (c: UInt8) in c >= 48 && c <= 57 }
        let alnum = { (c: UInt8) in digit(c) || (c | 0x20 >= 97 && c | 0x20 <= 122) }
        let duration = { (c: UInt8) in
            digit(c) || c == UInt8(ascii: "d") || c == UInt8(ascii: "h") || c == UInt8(ascii: "m") || c == UInt8(ascii: "s")
        }
        var i = 0
        while i < b.count {
            if ByteSearch.matches(packets, in: b, at: i) {
                let n = run(from: i + packets.count, digit)
                if n > i + packets.count, ByteSearch.matches(bytesWord, in: b, at: n) {
                    let m = run(from: n + bytesWord.count, digit)
                    if m > n + bytesWord.count { i = m; continue }
                }
            } else if ByteSearch.matches(used, in: b, at: i) {
                let n = run(from: i + used.count, alnum)
                if n > i + used.count { i = n; continue }
            } else if ByteSearch.matches(expires, in: b, at: i) {
                let n = run(from: i + expires.count, duration)
                if n > i + expires.count { i = n; continue }
            }
            out.append(b[i])
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static let packets = Array("packets ".utf8), bytesWord = Array(" bytes ".utf8)
    private static let used = Array("used ".utf8), expires = Array("expires ".utf8)

    /// nft's name token (`SafeText.isIdentifier`), less a leading `.`, which is never sent as text.
    static func isIdentifier(_ s: String) -> Bool { SafeText.isIdentifier(s) && !s.hasPrefix(".") }

    static func unquoted(_ s: String) -> String {
        var t = Substring(s)
        if t.hasPrefix("\"") { t = t.dropFirst() }
        if t.hasSuffix("\"") { t = t.dropLast() }
        return String(t)
    }
}

/// Byte-pattern tests on UTF-8 listings (megabytes: no Foundation string search).
enum ByteSearch {
    static func matches(_ pattern: [UInt8], in bytes: [UInt8], at i: Int) -> Bool {
        guard i + pattern.count <= bytes.count else { return false }
        for k in 0..<pattern.count where bytes[i + k] != pattern[k] { return false }
        return true
    }
}
