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
    /// `scope`: `ruleset` or `table FAMILY NAME` (the text listing of the same).
    static func list(_ scope: String, context: NFTContext) throws(BackendError) -> Document {
        let text = try context.run("list " + scope, flags: [.handle], dryRun: false)
        let listing = TextListing(text)
        // 1.0.6 prints a flagged table's flags from freed memory, which can corrupt the
        // heap (seen: "corrupted double-linked list" aborts); such tables are never listed
        // whole as JSON, only their chains, sets and objects one by one.
        let flagged = listing.tables.filter { !$0.flags.isEmpty }
        guard !flagged.isEmpty, flagged.allSatisfy({ TextBatch.isSafeName($0.name) }),
              listing.tables.allSatisfy({ TextBatch.isSafeName($0.name) }) else {
            let raw = try context.run(json: #"{"nftables": [{"list": {"#  + jsonScope(scope) + "}}]}", dryRun: false)
            guard let clean = dropTableFlags(raw), let parsed = try? Document.parse(clean) else {
                return repair(try objectByObject(listing, context: context), from: listing)
            }
            return repair(parsed, from: listing)
        }
        var entries: [Document.Entry] = []
        for t in listing.tables {
            if t.flags.isEmpty {
                let raw = try context.run(json: #"{"nftables": [{"list": {"# + jsonScope("table \(t.family) \(t.name)") + "}}]}",
                                          dryRun: false)
                guard let parsed = try? Document.parse(raw) else {
                    throw .invalidResponse("list table \(t.family) \(t.name): libnftables output is not a JSON document")
                }
                entries += parsed.entries.filter { if case .item(.metainfo) = $0 { return false }; return true }
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
        var out = Substring(raw)
        var result = ""
        while let r = out.range(of: #", "flags": "#) {
            let before = out[..<r.lowerBound]
            // Only a table's flags are broken: `{"table": {... "handle": N, "flags": ...`.
            guard let t = before.range(of: #"{"table": {"#, options: .backwards),
                  !before[t.upperBound...].contains("{") else {
                result += out[..<r.upperBound]
                out = out[r.upperBound...]
                continue
            }
            result += before
            var rest = out[r.upperBound...]
            guard rest.first == "\"" else { return nil }
            rest = rest.dropFirst()
            guard let end = rest.firstIndex(of: "\"") else { return nil }
            rest = rest[rest.index(after: end)...]
            guard rest.hasPrefix("}") else { return nil }
            out = rest
        }
        return result + out
    }

    /// When the JSON listing is cut short: every chain, set and map of the text listing
    /// listed one by one (those listings carry no table), tables from the text listing.
    static func objectByObject(_ listing: TextListing, context: NFTContext) throws(BackendError) -> Document {
        var entries: [Document.Entry] = []
        for t in listing.tables {
            entries.append(.item(.table(Table(family: t.family, name: t.name))))
            var commands: [String] = []
            for s in t.sets where TextBatch.isSafeName(s.name) {
                commands.append("\(s.isMap ? "map" : "set") \(t.family) \(t.name) \(s.name)")
            }
            for c in t.chains where TextBatch.isSafeName(c.name) { commands.append("chain \(t.family) \(t.name) \(c.name)") }
            for o in t.objects where TextBatch.isSafeName(o.name) { commands.append("\(o.kind) \(t.family) \(t.name) \(o.name)") }
            for cmd in commands {
                let out = try context.run("list " + cmd, flags: .json, dryRun: false)
                guard let d = try? Document.parse(out) else {
                    throw .invalidResponse("list \(cmd): libnftables output is not a JSON document")
                }
                entries += d.entries.filter { if case .item(.metainfo) = $0 { return false }; return true }
            }
        }
        return Document(entries)
    }

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
                if masked(printed) != masked(listed), let folded = try? TextBatch.foldedStatement(listed) {
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

    /// Counter values, quota use and expiry move between two listings: not a difference.
    static func masked(_ rule: String) -> String {
        rule.replacingOccurrences(of: #"packets [0-9]+ bytes [0-9]+"#, with: "", options: .regularExpression)
            .replacingOccurrences(of: #"used [0-9a-zA-Z]+"#, with: "", options: .regularExpression)
            .replacingOccurrences(of: #"expires [0-9dhms]+"#, with: "", options: .regularExpression)
    }

    /// nft's name token (`SafeText.isIdentifier`), less a leading `.`, which is never sent as text.
    static func isIdentifier(_ s: String) -> Bool { SafeText.isIdentifier(s) && !s.hasPrefix(".") }

    static func unquoted(_ s: String) -> String {
        var t = Substring(s)
        if t.hasPrefix("\"") { t = t.dropFirst() }
        if t.hasSuffix("\"") { t = t.dropLast() }
        return String(t)
    }
}
