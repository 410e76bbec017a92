import Foundation
import NFTAnalysis

/// The mermaid form of an explanation: hooks, then the base chains on each hook in
/// priority order, then the chains they jump or go to (verdict-map branches labelled
/// with their key).
extension RulesetExplanation {
    public var mermaid: String {
        var out = ["flowchart LR"]
        var shown: Set<String> = []
        for t in tables { for c in t.chains { shown.insert(Self.id(c.family, c.table, c.name)) } }
        for h in hooks {
            let chains = h.chains.filter { shown.contains(Self.id($0.family, $0.table, $0.chain)) }
            guard !chains.isEmpty else { continue }
            let hid = "hook_" + Self.clean(h.path + "_" + h.hook + (h.device.map { "_" + $0 } ?? ""))
            let path = (h.path == "inet" ? "IPv4/IPv6" : h.path) + (h.device.map { ", device \($0)" } ?? "")
            out.append("  \(hid)([\"\(Self.escape("\(h.hook) hook (\(path))"))\"])")
            for (i, c) in chains.enumerated() {
                out.append("  \(hid) -->|\"\(i + 1). priority \(Self.escape(c.priorityName))\"| \(Self.id(c.family, c.table, c.chain))")
            }
        }
        for t in tables {
            for c in t.chains {
                let me = Self.id(c.family, c.table, c.name)
                // Pieces are escaped one by one: the `<br/>` between them is mermaid's own.
                var label = Self.escape("\(c.family) \(c.table)") + "<br/>" + Self.escape("chain \(c.name)")
                if let b = c.base { label += "<br/>" + Self.escape("\(b.type), policy \(b.policy)") }
                out.append(c.base == nil ? "  \(me)(\"\(label)\")" : "  \(me)[\"\(label)\"]")
                var seen: Set<String> = []
                for r in c.rules {
                    for e in r.edges {
                        var text = "rule \(r.position): \(e.kind.rawValue)"
                        if let k = e.mapKey { text += " if \(k)" }
                        let target = Self.id(c.family, c.table, e.target)
                        let line =
                            e.kind == .goto
                            ? "  \(me) -.->|\"\(Self.escape(text))\"| \(target)"
                            : "  \(me) -->|\"\(Self.escape(text))\"| \(target)"
                        if seen.insert(line).inserted { out.append(line) }
                    }
                }
            }
        }
        return out.joined(separator: "\n") + "\n"
    }

    static func id(_ family: String, _ table: String, _ chain: String) -> String {
        "c_" + clean(family) + "__" + clean(table) + "__" + clean(chain)
    }

    /// Mermaid ids: letters, digits and underscores only; anything else becomes `_xx` (hex).
    static func clean(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            if (u.properties.isAlphabetic && u.isASCII) || ("0"..."9").contains(u) || (u == "_" && !out.hasSuffix("_")) {
                out.unicodeScalars.append(u)
            } else {
                out += "_" + String(u.value, radix: 16)
            }
        }
        return out
    }

    /// Text for inside a quoted mermaid label: control characters and newlines escaped
    /// (`SafeText`), and the characters that would end the quotes or start HTML or markdown
    /// written as mermaid entity codes.
    static func escape(_ s: String) -> String {
        var out = ""
        for ch in SafeText.escape(s) {
            switch ch {
            case "\"": out += "#quot;"
            case "<": out += "#lt;"
            case ">": out += "#gt;"
            case "`": out += "#96;"
            case "#": out += "#35;"
            default: out.append(ch)
            }
        }
        return out
    }
}
