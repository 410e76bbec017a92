import Foundation

/// A set's elements as the kernel dumps them (`NFT_MSG_GETSETELEM`), not decoded: only
/// whether the dump repeats any. A hash set's dump repeats elements while the kernel resizes
/// it (the rhashtable's deferred rehash): right after a commit that added 50k elements, two
/// verifying listings in three came back with 6–7k elements twice, were thrown away by
/// `CompleteListing` and listed again after a pause (50k elements: 250 ms of libnftables'
/// decoding each, 100 ms of pause). An undecoded dump costs a tenth of that, so after a
/// commit the backend waits for each set to dump clean before libnftables lists it.
enum KernelSetElements {
    static let getSetElements = NetfilterNetlink.nftables(13)  // NFT_MSG_GETSETELEM
    static let newSetElements = NetfilterNetlink.nftables(12)
    /// `NFT_SET_ANONYMOUS`: listed with the rule that holds it, not on its own.
    static let anonymousFlag: UInt32 = 0x1
    /// How long to wait for a clean dump before leaving it to `CompleteListing`.
    static let patience: TimeInterval = 1

    /// Waits until every named set of table `name` dumps without a repeated element, or
    /// `patience` has passed; does nothing for a table or family nf_tables does not know.
    /// True when every set dumped clean. `except`: sets left alone.
    @discardableResult
    static func settle(family: String, table name: String, except: Set<String> = []) throws(BackendError) -> Bool {
        guard let code = KernelTables.code(of: family) else { return true }
        let deadline = Date().addingTimeInterval(patience)
        var clean = true
        for set in try namedSets(code: code, table: name) where !except.contains(set) {
            guard try cleanDump(code: code, table: name, set: set, until: deadline) == nil else { continue }
            clean = false
        }
        return clean
    }

    /// A dump of `set` without repeats: dumped again after a pause (5 ms, doubling up to
    /// 100 ms) until one is, or nil once `deadline` has passed.
    static func cleanDump(code: UInt8, table: String, set: String, until deadline: Date) throws(BackendError) -> [[UInt8]]? {
        var pause: TimeInterval = 0.005
        while true {
            let (keys, repeated) = try dump(code: code, table: table, set: set)
            if !repeated { return keys }
            guard Date() < deadline else { return nil }
            Thread.sleep(forTimeInterval: pause)
            pause = min(pause * 2, 0.1)
        }
    }

    /// The table's sets that are not anonymous (`NFTA_SET_NAME`, `NFTA_SET_FLAGS`).
    static func namedSets(code: UInt8, table name: String) throws(BackendError) -> [String] {
        guard let filter = NetfilterNetlink.attribute(1, string: name) else { return [] }
        var names: [String] = []
        try NetfilterNetlink.request(
            KernelRules.getSet, flags: NetfilterNetlink.nlmFDump, family: code, attributes: filter, operation: "dump the sets",
            bufferSize: 1 << 16
        ) { (type, body) throws(BackendError) in
            guard type == KernelRules.newSet, body.first == code else { return false }
            let a = NetfilterNetlink.attributes(body)
            guard a.contains(where: { $0.type == 1 && KernelTables.cString($0.value) == name }),
                let n = a.first(where: { $0.type == 2 })
            else { return false }
            let flags = a.first { $0.type == 3 }.flatMap { NetfilterNetlink.bigEndian32($0.value) } ?? 0
            if flags & anonymousFlag == 0 { names.append(KernelTables.cString(n.value)) }
            return false
        }
        return names
    }

    /// The keys of set `set`'s elements (each `NFTA_SET_ELEM_KEY`'s value): a dump without
    /// repeats, waited for as `settle` does; nil when none came within `patience` or the
    /// family is not one nf_tables knows.
    static func keys(family: String, table: String, set: String) throws(BackendError) -> [[UInt8]]? {
        guard let code = KernelTables.code(of: family) else { return nil }
        return try cleanDump(code: code, table: table, set: set, until: Date().addingTimeInterval(patience))
    }

    /// One dump of `set`: each element's key, and whether any element came twice. The
    /// kernel does not mark an element dump a commit interrupted (`NLM_F_DUMP_INTR`): a
    /// caller that needs the keys of one generation reads the generation id around it.
    static func dump(code: UInt8, table: String, set: String) throws(BackendError) -> (keys: [[UInt8]], repeated: Bool) {
        guard let t = NetfilterNetlink.attribute(1, string: table), let s = NetfilterNetlink.attribute(2, string: set) else {
            throw .invalidResponse("dump the elements of a set: a name netlink cannot carry")
        }
        var keys: [[UInt8]] = []
        var seen = Set<[UInt8]>()
        var repeated = false
        do {
            try NetfilterNetlink.request(
                getSetElements, flags: NetfilterNetlink.nlmFDump, family: code, attributes: t + s,
                operation: "dump the elements of set \(set)", bufferSize: 1 << 17, whole: true
            ) { (type, body) throws(BackendError) in
                guard type == newSetElements else { return false }
                for (identity, key) in elements(body) {
                    keys.append(key)
                    if !seen.insert(identity).inserted { repeated = true }
                }
                return false
            }
        } catch .invalidResponse {
            return (keys, true)  // a message cut short: dump again
        }
        return (keys, repeated)
    }

    /// Each element of a NEWSETELEM message body (nfgenmsg first): what makes it one element
    /// (its key, flags and range end: `NFTA_SET_ELEM_LIST_ELEMENTS`, each `NFTA_LIST_ELEM`
    /// within it; an interval's end may share its key with the next interval's start, not
    /// its flags) and its key (`NFTA_SET_ELEM_KEY`'s `NFTA_DATA_VALUE`).
    static func elements(_ body: ArraySlice<UInt8>) -> [(identity: [UInt8], key: [UInt8])] {
        var out: [(identity: [UInt8], key: [UInt8])] = []
        for list in NetfilterNetlink.attributes(body) where list.type == 3 {
            for element in NetfilterNetlink.attributes(list.value, after: 0) where element.type == 1 {
                var identity: [UInt8] = []
                var key: [UInt8] = []
                for a in NetfilterNetlink.attributes(element.value, after: 0) where [1, 3, 10].contains(a.type) {
                    identity += [UInt8(a.type), UInt8(truncatingIfNeeded: a.value.count)] + a.value
                    if a.type == 1, let v = NetfilterNetlink.attributes(a.value, after: 0).first(where: { $0.type == 1 }) {
                        key = Array(v.value)
                    }
                }
                out.append((identity, key))
            }
        }
        return out
    }
}
