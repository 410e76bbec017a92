import NFTAnalysis
import NFTModel

/// Anonymous interval sets that nft merged down to one element: `ip6 daddr { ::8/128,
/// ::9/128 }` is held as a set and listed as `{ ::8/127 }`. Given back as listed, one
/// element, libnftables 1.0.6 makes it a plain match (`expr_evaluate_set`: a one-element
/// anonymous set of a prefix, range or value is replaced by that element), another kernel
/// expression than the set `nft -f` made. Given back with its element twice, it stays a
/// set, and nft's merge makes the two one again: the kernel holds what `nft -f` made,
/// whatever the element's type (addresses, marks, `ip dscp` names, MAC ranges) and
/// whatever it carries (a comment, a counter).
///
/// Only for what a listing says (an `.nft` file's scratch listing, the live ruleset, a
/// snapshot given back): a one-element set written in a JSON file or a rules program means
/// the plain match, as it does to `nft -j -f`.
enum MergedIntervalSets {
    static func split(_ document: Document) -> Document {
        Document(
            document.entries.map { entry in
                switch entry {
                case .item(let i): return .item(split(i))
                case .command(var c):
                    c.item = split(c.item)
                    return .command(c)
                case .raw: return entry
                }
            })
    }

    static func split(_ item: RulesetItem) -> RulesetItem {
        if case .rule(let r) = item { return .rule(split(r)) }
        return item
    }

    static func split(_ rule: Rule) -> Rule {
        var r = rule
        r.expr = rule.expr?.map { s in
            guard case .match(let left, let op, .set(let elements, single: false)) = s, elements.count == 1,
                isInterval(elements[0])
            else { return s }
            return .match(left: left, op: op, right: .set([elements[0], elements[0]], single: false))
        }
        return r
    }

    /// A prefix or a range, bare or as an element with a comment or a counter: what only a
    /// merge can have left alone in an anonymous set (one value is a plain match to nft).
    static func isInterval(_ element: NFTModel.Expression) -> Bool {
        switch element {
        case .prefix, .range: return true
        case .elem(let e): return isInterval(e.val)
        default: return false
        }
    }
}
