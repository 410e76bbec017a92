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
    public static func wrap(_ rule: String, family: String, hook: String, chainType: String) -> String {
        prefix(family: family, hook: hook, chainType: chainType) + rule + "\n}\n}\n"
    }

    static func prefix(family: String, hook: String, chainType: String) -> String {
        let device = ["ingress", "egress"].contains(hook) && family == "netdev" ? " device \"lo\"" : ""
        return "table \(family) \(table) { chain \(chain) { type \(chainType) hook \(hook)\(device) priority 0; "
    }

    /// The wrapped rule as a ruleset, via libnftables in a sandbox (a user and network namespace).
    public static func state(_ rule: String, family: String, hook: String, chainType: String) throws -> RulesetState {
        let text = wrap(rule, family: family, hook: hook, chainType: chainType)
        let document: Document
        do { document = try Sandbox.loadAndList(text: text) } catch let e as SandboxError {
            let message = unwrap(e.message, rule: rule, prefix: prefix(family: family, hook: hook, chainType: chainType))
            throw ExplainError("nft does not accept this rule in a \(family) \(chainType) chain on the \(hook) hook:\n\(message)")
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
                lines[i + 1] = caret.count > prefix.count ? String(caret.dropFirst(prefix.count)) : caret.trimmingCharacters(in: .whitespaces)
            }
        }
        return lines.joined(separator: "\n")
    }
}
