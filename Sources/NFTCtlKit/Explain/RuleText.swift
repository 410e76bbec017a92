import Foundation
import NFTAnalysis

/// One rule in nft syntax, explained in a context of its own: it is wrapped in a table and
/// base chain and parsed by libnftables itself in a throw-away namespace, so whatever nft
/// accepts can be explained, normalised the way nft lists it.
public enum RuleText {
    /// The table and chain names of the wrapper.
    public static let table = "nftctl_explain", chain = "c"

    /// `table F nftctl_explain { chain c { type T hook H priority 0; RULE` and `} }` on the
    /// next line: libnftables 1.0.6 shows the first line of a buffer with its errors, so the
    /// rule must be on it; `prefix` is what comes before the rule.
    public static func wrap(
        _ rule: String, family: String, hook: String, chainType: String,
        standIns: [String] = []
    ) -> String {
        prefix(family: family, hook: hook, chainType: chainType) + rule + "\n}\n"
            + standIns.map { $0 + "\n" }.joined() + "}\n"
    }

    /// Stand-in declarations for what the rule names but a lone rule cannot hold: the
    /// chains it jumps to, its sets and maps (typed by the field matched against them) and
    /// its named objects, so that `jump DOCKER` or `ct helper set "ftp-standard"` explain.
    static func standIns(_ rule: String, family: String) -> [String] {
        let w = rule.split(separator: " ").map(String.init)
        var out: [String] = [], seen: Set<String> = []
        func add(_ key: String, _ decl: String) { if seen.insert(key).inserted { out.append(decl) } }
        func name(_ s: String) -> String? {
            let n = s.trimmingCharacters(in: CharacterSet(charactersIn: "\";{}"))
            return !n.isEmpty && n.allSatisfy({ $0.isLetter || $0.isNumber || "_-.".contains($0) }) && n.first!.isLetter ? n : nil
        }
        for (i, word) in w.enumerated() {
            let next = i + 1 < w.count ? name(w[i + 1]) : nil
            switch word {
            case "jump", "goto": if let n = next { add("chain " + n, "chain \(n) { }") }
            case "helper" where i + 2 < w.count && w[i + 1] == "set":
                if let n = name(w[i + 2]) { add("helper " + n, "ct helper \(n) { type \"ftp\" protocol tcp; }") }
            case "timeout" where i + 2 < w.count && w[i + 1] == "set" && i > 0 && w[i - 1] == "ct":
                if let n = name(w[i + 2]) { add("timeout " + n, "ct timeout \(n) { protocol tcp; policy = { established: 120 }; }") }
            case "name" where i > 0:
                guard let n = next else { continue }
                switch w[i - 1] {
                case "counter": add("counter " + n, "counter \(n) { }")
                case "quota": add("quota " + n, "quota \(n) { 1 mbytes }")
                case "limit": add("limit " + n, "limit \(n) { rate 1/second }")
                default: continue
                }
            default:
                // `ip saddr @blocked`: a set of what the field before it holds.
                guard word.hasPrefix("@"), let n = name(String(word.dropFirst())) else { continue }
                let j = i >= 1 && ["==", "!="].contains(w[i - 1]) ? i - 1 : i
                guard j >= 1 else { continue }
                let field = j >= 2 ? w[j - 2] + " " + w[j - 1] : w[j - 1]
                add("set " + n, "set \(n) { typeof \(field); flags interval; }")
            }
        }
        return out
    }

    /// "a" or "an" before a word as it is read aloud (`an inet`, `an ip6`, `a bridge`).
    static func article(_ word: String) -> String {
        guard let c = word.lowercased().first else { return "a" }
        return "aeio".contains(c) ? "an" : "a"
    }

    /// A lone word that reads as a path (`web.swfit`, `rules/x`) rather than a rule.
    static func looksLikeFileName(_ input: String) -> Bool {
        guard !input.contains(where: \.isWhitespace), !input.isEmpty else { return false }
        if input.contains("/") { return true }
        guard let dot = input.lastIndex(of: "."), dot != input.startIndex else { return false }
        let ext = input[input.index(after: dot)...]
        return !ext.isEmpty && ext.allSatisfy(\.isLetter)
    }

    static func prefix(family: String, hook: String, chainType: String) -> String {
        let device = ["ingress", "egress"].contains(hook) && family == "netdev" ? " device \"lo\"" : ""
        return "table \(family) \(table) { chain \(chain) { type \(chainType) hook \(hook)\(device) priority 0; "
    }

    /// The wrapped rule as a ruleset, via libnftables in a sandbox (a user and network namespace).
    public static func state(_ rule: String, family: String, hook: String, chainType: String) throws -> RulesetState {
        if looksLikeFileName(rule) {
            throw ExplainError("\(SafeText.escape(rule)): no such file (and not a rule: a rule has words, e.g. 'tcp dport 22 accept')")
        }
        let document: Document
        do {
            // With stand-ins for what the rule names; without them if a stand-in is what fails.
            let standIns = standIns(rule, family: family)
            do {
                document = try Sandbox.loadAndList(text: wrap(rule, family: family, hook: hook, chainType: chainType, standIns: standIns))
            } catch is SandboxError where !standIns.isEmpty {
                document = try Sandbox.loadAndList(text: wrap(rule, family: family, hook: hook, chainType: chainType))
            }
        } catch let e as SandboxError {
            var message = unwrap(e.message, rule: rule, prefix: prefix(family: family, hook: hook, chainType: chainType))
            if message.contains("No such file or directory") {
                message = message.replacingOccurrences(
                    of: "Could not process rule: No such file or directory",
                    with: "the rule names something that does not exist here (marked below)"
                )
                .replacingOccurrences(
                    of: "Error: No such file or directory",
                    with: "Error: the rule names something that does not exist here (marked below)")
            }
            throw ExplainError(
                "nft does not accept this rule in \(article(family)) \(family) \(chainType) chain on the \(hook) hook:\n\(message)")
        }
        do { return try RulesetState(document: document) } catch { throw ExplainError(error.description) }
    }

    /// libnftables' error with the wrapper cut away: the rule, and the caret moved under it.
    static func unwrap(_ message: String, rule: String, prefix: String) -> String {
        var lines = message.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for i in lines.indices where lines[i].hasPrefix(prefix) {
            lines[i] = rule
            if i + 1 < lines.count {
                let caret = lines[i + 1]
                lines[i + 1] =
                    caret.count > prefix.count ? String(caret.dropFirst(prefix.count)) : caret.trimmingCharacters(in: .whitespaces)
            }
        }
        return lines.joined(separator: "\n")
    }
}
