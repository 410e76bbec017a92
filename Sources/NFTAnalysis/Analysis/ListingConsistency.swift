/// Whether a listing can be trusted to hold every element of its sets and maps.
///
/// The kernel dumps a big set in several netlink messages and resumes each one by skipping
/// the number of elements already sent (`cb->args[0]`), re-walking the set from the start.
/// A hash set (rhashtable) that is resized between two messages — its deferred worker runs
/// for a while after a big load — is walked in a new order, so the listing repeats some
/// elements and leaves out as many others, and nothing says so: no error, no
/// `NLM_F_DUMP_INTR` (no commit happened), libnftables 1.0.6 prints the result as it came
/// (measured: 100k elements listed right after their load, 7 of 20 listings held only
/// 85–96k distinct elements among 100k printed).
///
/// Each message of a resumed dump carries the elements at positions `skip...` of the walk at
/// that moment and the last one runs to the end, so while the set's element count stays
/// the same, the dump carries at least as many elements as the set holds: it lacks one
/// only if it repeats another. No repeated key therefore proves the listing complete (for
/// a set nobody is changing meanwhile, such as a scratch namespace's).
extension NamedSet {
    /// The key of each element: a map's data and an element's attributes (counters,
    /// expiry, comment) do not make it another element.
    public var elementKeys: [Expression] {
        elements.map { e in
            var k = e
            if isMap, case .list(let pair) = k, pair.count == 2 { k = pair[0] }
            if case .elem(let el) = k { k = el.val }
            return k
        }
    }

    /// How many elements of the listing repeat a key listed before them.
    public var repeatedElementCount: Int {
        let keys = elementKeys
        guard keys.count > 1 else { return 0 }
        var seen = Set<String>(minimumCapacity: keys.count)
        var repeats = 0
        // Keys that are all strings (addresses, names: most of a blocklist) by themselves: two
        // strings serialise alike only when they are alike, and none is serialised.
        if keys.allSatisfy({ if case .string = $0 { return true } else { return false } }) {
            for case .string(let k) in keys where !seen.insert(k).inserted { repeats += 1 }
            return repeats
        }
        for k in keys where !seen.insert(k.json.serialized()).inserted { repeats += 1 }
        return repeats
    }
}

/// A set or map whose listing repeats elements: the listing is not complete.
public struct InconsistentSet: Sendable, Hashable, CustomStringConvertible {
    public var family: String
    public var table: String
    public var name: String
    public var isMap: Bool
    public var listed: Int
    public var repeated: Int
    public var description: String {
        "\(isMap ? "map" : "set") \(family) \(table) \(name): \(listed) elements listed, \(repeated) of them twice"
    }
}

extension Document {
    /// The sets and maps whose listed elements repeat a key (see `NamedSet.repeatedElementCount`).
    public var inconsistentSets: [InconsistentSet] {
        var out: [InconsistentSet] = []
        for entry in entries {
            // `items`' sets, without building the array of every item.
            let s: NamedSet
            switch entry {
            case .item(.set(let x)): s = x
            case .command(let c):
                guard case .set(let x) = c.item else { continue }
                s = x
            default: continue
            }
            let r = s.repeatedElementCount
            if r > 0 {
                out.append(
                    InconsistentSet(
                        family: s.family, table: s.table, name: s.name, isMap: s.isMap,
                        listed: s.elements.count, repeated: r))
            }
        }
        return out
    }
}
