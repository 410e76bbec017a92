import NFTAnalysis

/// Finds where tables, chains, sets and rules are written in an `.nft` file, so that
/// diagnostics about a ruleset libnftables parsed (and listed back without positions) can
/// name the user's `file:line`. It reads the nested `table { chain { ... } }` form and
/// `add table|chain|set|map|rule` commands; anything it cannot place keeps no line.
public struct NftSourceMap: Sendable {
    public var file: String
    var tables: [TableKey: Int] = [:]
    var chains: [String: Int] = [:]  // "family table chain"
    var sets: [String: Int] = [:]  // "family table set"
    var objects: [String: Int] = [:]  // "family table name"
    var rules: [String: [Int]] = [:]  // "family table chain" -> lines in order
    var inserted: [String: [Int]] = [:]  // `insert rule` lines, latest last (they end up first, latest first)

    static let families: Set<String> = ["ip", "ip6", "inet", "arp", "bridge", "netdev"]

    public init(text: String, file: String) {
        self.file = file
        var stack: [(kind: String, name: String)] = []  // open blocks
        var curTable: TableKey?
        var curChain: String?
        var pendingDepth = 0  // braces opened by a rule spanning lines
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNo = n + 1
            var line = Substring(raw)
            if let hash = line.firstIndex(of: "#"), !line[..<hash].contains("\"") { line = line[..<hash] }
            let trimmed = line.trimmingCharacters()
            if trimmed.isEmpty { continue }
            let opens = trimmed.filter { $0 == "{" }.count
            let closes = trimmed.filter { $0 == "}" }.count
            if pendingDepth > 0 {
                pendingDepth += opens - closes
                continue
            }
            let words = trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let first = words.first else { continue }
            if first == "}" {
                for _ in 0..<closes where !stack.isEmpty {
                    let b = stack.removeLast()
                    if b.kind == "table" { curTable = nil }
                    if b.kind == "chain" { curChain = nil }
                }
                continue
            }
            if first == "table", words.count >= 2 {
                let (fam, name) = NftSourceMap.familyAndName(Array(words.dropFirst()))
                let key = TableKey(family: fam, name: name)
                if tables[key] == nil { tables[key] = lineNo }
                if opens > closes { stack.append(("table", name)); curTable = key }
                continue
            }
            if let t = curTable, stack.last?.kind == "table" {
                if first == "chain", words.count >= 2 {
                    let name = NftSourceMap.unquote(words[1])
                    let k = "\(t.family) \(t.name) \(name)"
                    if chains[k] == nil { chains[k] = lineNo }
                    if opens > closes { stack.append(("chain", name)); curChain = name }
                    continue
                }
                if first == "set" || first == "map", words.count >= 2 {
                    sets["\(t.family) \(t.name) \(NftSourceMap.unquote(words[1]))"] = lineNo
                    if opens > closes { stack.append((first, words[1])) }
                    continue
                }
                if ["counter", "quota", "limit", "ct", "synproxy", "secmark", "flowtable"].contains(first) {
                    let nameWord = first == "ct" ? (words.count > 2 ? words[2] : "") : (words.count > 1 ? words[1] : "")
                    objects["\(t.family) \(t.name) \(NftSourceMap.unquote(nameWord))"] = lineNo
                    if opens > closes { stack.append(("object", nameWord)) }
                    continue
                }
            }
            if let t = curTable, let c = curChain, stack.last?.kind == "chain" {
                let isChainSpec =
                    (first == "type" && words.contains("hook")) || first == "policy"
                    || first == "comment" || first == "devices" || first == "device"
                if !isChainSpec {
                    rules["\(t.family) \(t.name) \(c)", default: []].append(lineNo)
                    if opens > closes { pendingDepth = opens - closes }
                }
                continue
            }
            if stack.last.map({ ["set", "map", "object"].contains($0.kind) }) == true {
                if opens > closes { stack.append(("inner", "")) }
                if closes > opens { for _ in 0..<(closes - opens) where !stack.isEmpty { stack.removeLast() } }
                continue
            }
            // Commands: add/create/insert table|chain|set|map|rule ...
            if ["add", "create", "insert"].contains(first), words.count >= 3 {
                let rest = Array(words.dropFirst(2))
                let (fam, tname) = NftSourceMap.familyAndName(rest)
                let after = Array(rest.dropFirst(NftSourceMap.families.contains(rest[0]) ? 2 : 1))
                switch words[1] {
                case "table": if tables[TableKey(family: fam, name: tname)] == nil { tables[TableKey(family: fam, name: tname)] = lineNo }
                case "chain": if let c = after.first { chains["\(fam) \(tname) \(NftSourceMap.unquote(c))"] = lineNo }
                case "set", "map": if let s = after.first { sets["\(fam) \(tname) \(NftSourceMap.unquote(s))"] = lineNo }
                case "rule":
                    if let c = after.first {
                        let k = "\(fam) \(tname) \(NftSourceMap.unquote(c))"
                        if words[0] == "insert" { inserted[k, default: []].append(lineNo) } else { rules[k, default: []].append(lineNo) }
                    }
                default: break
                }
            }
            if opens > closes { pendingDepth = opens - closes }
        }
        // Appending, then reversing once, keeps many `insert rule` lines linear.
        for (k, lines) in inserted { rules[k] = lines.reversed() + (rules[k] ?? []) }
        inserted = [:]
    }

    static func familyAndName(_ words: [String]) -> (String, String) {
        if words.count >= 2, families.contains(words[0]) { return (words[0], unquote(words[1])) }
        return ("ip", unquote(words.first ?? ""))
    }

    static func unquote(_ s: String) -> String {
        var t = Substring(s)
        while let l = t.last, l == "{" || l == ";" { t = t.dropLast() }
        if t.hasPrefix("\""), t.hasSuffix("\""), t.count >= 2 { t = t.dropFirst().dropLast() }
        return String(t)
    }

    func loc(_ line: Int?) -> SourceLocation? { line.map { SourceLocation(file: file, line: $0) } }

    /// Gives every object of `state` the line where the file declares it.
    public func locate(_ state: inout RulesetState) {
        for ti in state.tables.indices {
            let key = state.tables[ti].key
            let prefix = "\(key.family) \(key.name)"
            state.tables[ti].table.location = loc(tables[key])
            for ci in state.tables[ti].chains.indices {
                state.tables[ti].chains[ci].location = loc(chains["\(prefix) \(state.tables[ti].chains[ci].value.name)"])
            }
            for si in state.tables[ti].sets.indices {
                state.tables[ti].sets[si].location = loc(sets["\(prefix) \(state.tables[ti].sets[si].value.name)"])
            }
            for oi in state.tables[ti].objects.indices {
                state.tables[ti].objects[oi].location = loc(objects["\(prefix) \(state.tables[ti].objects[oi].value.name)"])
            }
            var seen: [String: Int] = [:]
            for ri in state.tables[ti].rules.indices {
                let chain = state.tables[ti].rules[ri].value.chain
                let k = "\(prefix) \(chain)"
                let n = seen[k, default: 0]
                seen[k] = n + 1
                if let lines = rules[k], n < lines.count {
                    state.tables[ti].rules[ri].location = loc(lines[n])
                } else {
                    state.tables[ti].rules[ri].location = loc(chains[k])
                }
            }
        }
    }
}

extension StringProtocol {
    func trimmingCharacters() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s = s.dropLast() }
        return String(s)
    }
}
