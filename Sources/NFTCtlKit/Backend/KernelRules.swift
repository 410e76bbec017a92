#if canImport(Glibc)
import Glibc
#endif

/// One table as the kernel holds it, read with nftctl's own netlink dumps (no libnftables,
/// nothing decoded into nft's language): each rule's chain, handle and bytes,
/// and the names of its sets and how many objects and flowtables it has. At 10k rules this
/// is a tenth of a libnftables listing; what the bytes mean is learnt from one
/// (`KernelRuleBytes`). Like `GenerationID`, the sockets open in the calling thread's namespace.
public struct KernelTableContents: Sendable {
    var rules: [KernelRule] = []
    /// Every set of the table: named sets, maps, meters and anonymous sets alike.
    var sets: [String] = []
    var objects = 0
    var flowtables = 0
}

/// One rule as the kernel holds it.
public struct KernelRule: Sendable {
    struct Count: Sendable, Equatable {
        var packets: UInt64
        var bytes: UInt64
    }

    var table: String
    var chain: String
    var handle: Int64
    /// The rule's expressions, compat data and user data (its comment) as netlink
    /// attributes, with the values of its counters zeroed: equal bytes, the same rule; sent
    /// as they are, they make this rule again (`KernelBatch`).
    var bytes: [UInt8]
    /// The values of its top-level `counter` expressions, in order.
    var counters: [Count]
    /// True when none of its counters has counted anything (a rule just made).
    var countedNothing: Bool { counters.allSatisfy { $0.packets == 0 && $0.bytes == 0 } }
    /// The handle of the rule before it in its chain, where the kernel says (a notification
    /// from 5.15 on, but for a chain's first or last rule; a dump).
    var position: Int64? = nil
    /// False when the bytes say nothing lasting: they hold state that moves without a
    /// commit (quota, `last`), name an anonymous set or chain (named anew at each load), or
    /// hold what libnftables looked up on the host when it made them (`environmental`).
    var stable: Bool
}

enum KernelRules {
    static let getRule = NetfilterNetlink.nftables(7)  // NFT_MSG_GETRULE
    static let newRule = NetfilterNetlink.nftables(6)
    static let deleteRule = NetfilterNetlink.nftables(8)  // NFT_MSG_DELRULE
    static let getSet = NetfilterNetlink.nftables(10)  // NFT_MSG_GETSET
    static let newSet = NetfilterNetlink.nftables(9)
    static let getObject = NetfilterNetlink.nftables(19)  // NFT_MSG_GETOBJ
    static let newObject = NetfilterNetlink.nftables(18)
    static let getFlowtable = NetfilterNetlink.nftables(23)  // NFT_MSG_GETFLOWTABLE
    static let newFlowtable = NetfilterNetlink.nftables(22)

    /// Expressions whose dump carries state that moves as packets pass.
    static let stateful: Set<String> = ["quota", "last"]
    /// Expressions whose bytes hold what libnftables resolved on the host as it loaded the
    /// rule, which the same rule loaded later may not resolve alike: an interface's index
    /// (`dup`/`fwd` to a device load it as a constant), a cgroup's inode (`socket cgroupv2`,
    /// key 3). Sent again later (`KernelBatch`), such bytes could name another interface.
    static let environmental: Set<String> = ["dup", "fwd"]
    /// `meta` keys of the same kind: iif and oif (an interface's index), skuid and skgid (a
    /// user or group name looked up), time, day and hour (converted with the host's time
    /// zone, which moves with daylight saving).
    static let environmentalMetaKeys: Set<UInt32> = [4, 5, 10, 11, 30, 31, 32]
    /// Names nft gives anonymous sets, maps and chains.
    static let anonymousPrefixes = ["__set", "__map", "__chain"].map { Array($0.utf8) }

    /// Table `name` of `family`; nil when the family is not one nf_tables knows.
    static func read(family: String, table name: String) throws(BackendError) -> KernelTableContents? {
        guard let code = KernelTables.code(of: family),
            let filter = NetfilterNetlink.attribute(1, string: name)
        else { return nil }
        var contents = KernelTableContents()
        // Each request names the table (attribute 1 of rules, sets, objects and flowtables
        // alike); each reply is checked against it too. A rule of the table that cannot be
        // read, or a dump a commit interrupted, is thrown: nothing may go uncounted.
        func mine(_ body: ArraySlice<UInt8>, _ attributes: [(type: UInt16, value: ArraySlice<UInt8>)]) -> Bool {
            body.first == code && attributes.contains { $0.type == 1 && KernelTables.cString($0.value) == name }
        }
        try NetfilterNetlink.request(
            getRule, flags: NetfilterNetlink.nlmFDump, family: code, attributes: filter, operation: "dump the rules",
            bufferSize: 1 << 17, whole: true
        ) { (type, body) throws(BackendError) in
            guard type == newRule, body.first == code else { return false }
            guard let r = rule(body) else {
                throw .invalidResponse("dump the rules: a rule of table \(family) \(name) that cannot be read")
            }
            if r.table == name { contents.rules.append(r) }
            return false
        }
        try NetfilterNetlink.request(
            getSet, flags: NetfilterNetlink.nlmFDump, family: code, attributes: filter, operation: "dump the sets",
            bufferSize: 1 << 16, whole: true
        ) { (type, body) throws(BackendError) in
            let a = NetfilterNetlink.attributes(body)
            if type == newSet, mine(body, a), let n = a.first(where: { $0.type == 2 }) {
                contents.sets.append(KernelTables.cString(n.value))
            }
            return false
        }
        try NetfilterNetlink.request(
            getObject, flags: NetfilterNetlink.nlmFDump, family: code, attributes: filter, operation: "dump the objects", whole: true
        ) { (type, body) throws(BackendError) in
            if type == newObject, mine(body, NetfilterNetlink.attributes(body)) { contents.objects += 1 }
            return false
        }
        try NetfilterNetlink.request(
            getFlowtable, flags: NetfilterNetlink.nlmFDump, family: code, attributes: filter, operation: "dump the flowtables", whole: true
        ) { (type, body) throws(BackendError) in
            if type == newFlowtable, mine(body, NetfilterNetlink.attributes(body)) { contents.flowtables += 1 }
            return false
        }
        return contents
    }

    /// The rule a NEWRULE message body (nfgenmsg first) describes; nil when it lacks a chain
    /// or a handle. Read in place, each attribute once: ten thousand of these are read per
    /// verification.
    static func rule(_ body: ArraySlice<UInt8>) -> KernelRule? {
        body.withUnsafeBytes { b -> KernelRule? in
            var table = "", chain: String?
            var handle: Int64?, position: Int64?
            // Whole attributes (header included): what a NEWRULE of this rule would carry.
            var expressions = 0..<0, compat = 0..<0, userdata = 0..<0
            for a in NetfilterNetlink.Attributes(b, from: 4) {
                let whole = a.value.lowerBound - 4..<a.value.upperBound
                switch a.type {
                case 1: table = KernelTables.cString(UnsafeRawBufferPointer(rebasing: b[a.value]))
                case 2: chain = KernelTables.cString(UnsafeRawBufferPointer(rebasing: b[a.value]))
                case 3:  // NFTA_RULE_HANDLE, 64 bits in network order
                    guard a.value.count == 8 else { return nil }
                    handle = Int64(bitPattern: UInt64(bigEndian: b.loadUnaligned(fromByteOffset: a.value.lowerBound, as: UInt64.self)))
                case 4: expressions = whole  // NFTA_RULE_EXPRESSIONS
                case 5: compat = whole  // NFTA_RULE_COMPAT
                case 6:  // NFTA_RULE_POSITION, 64 bits in network order
                    guard a.value.count == 8 else { return nil }
                    position = Int64(bitPattern: UInt64(bigEndian: b.loadUnaligned(fromByteOffset: a.value.lowerBound, as: UInt64.self)))
                case 7: userdata = whole  // NFTA_RULE_USERDATA
                default: break
                }
            }
            guard let chain, let handle else { return nil }
            // The bytes: those three attributes, each padded as netlink pads, in that order,
            // with the counters' values zeroed (a new rule's counters start at zero).
            var bytes: [UInt8] = []
            bytes.reserveCapacity(expressions.count + compat.count + userdata.count + 8)
            func append(_ r: Range<Int>) {
                bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[r]))
                while bytes.count % 4 != 0 { bytes.append(0) }
            }
            var counters: [KernelRule.Count] = []
            var stable = true
            append(expressions)
            if !expressions.isEmpty {
                let shift = bytes.startIndex - expressions.lowerBound
                for element in NetfilterNetlink.Attributes(b, in: expressions.lowerBound + 4..<expressions.upperBound)
                where element.type == 1 {  // NFTA_LIST_ELEM
                    var name = ""
                    var data = 0..<0
                    for part in NetfilterNetlink.Attributes(b, in: element.value) {
                        if part.type == 1 { name = KernelTables.cString(UnsafeRawBufferPointer(rebasing: b[part.value])) }
                        if part.type == 2 { data = part.value }  // NFTA_EXPR_DATA
                    }
                    if stateful.contains(name) || environmental.contains(name) { stable = false }
                    if name == "meta" || name == "socket" {
                        // NFTA_META_KEY is attribute 2, NFTA_SOCKET_KEY attribute 1.
                        let keyType: UInt16 = name == "meta" ? 2 : 1
                        for v in NetfilterNetlink.Attributes(b, in: data) where v.type == keyType && v.value.count == 4 {
                            let key = UInt32(bigEndian: b.loadUnaligned(fromByteOffset: v.value.lowerBound, as: UInt32.self))
                            if name == "meta" ? environmentalMetaKeys.contains(key) : key == 3 { stable = false }
                        }
                    }
                    guard name == "counter" else { continue }
                    var count = KernelRule.Count(packets: 0, bytes: 0)
                    for v in NetfilterNetlink.Attributes(b, in: data) where v.value.count == 8 && (v.type == 1 || v.type == 2) {
                        let n = UInt64(bigEndian: b.loadUnaligned(fromByteOffset: v.value.lowerBound, as: UInt64.self))
                        if v.type == 1 { count.bytes = n } else { count.packets = n }  // NFTA_COUNTER_BYTES, _PACKETS
                        for i in v.value { bytes[i + shift] = 0 }
                    }
                    counters.append(count)
                }
            }
            append(compat)
            append(userdata)
            if stable {
                let all = UnsafeRawBufferPointer(rebasing: b[expressions])
                stable = !anonymousPrefixes.contains { contains(all, $0) }
            }
            return KernelRule(
                table: table, chain: chain, handle: handle, bytes: bytes, counters: counters, position: position, stable: stable)
        }
    }

    /// Whether `bytes` are what `rule` keeps of a rule: NFTA_RULE_EXPRESSIONS, then at most
    /// NFTA_RULE_COMPAT and NFTA_RULE_USERDATA, each whole, nothing else. What is sent as a
    /// rule's own bytes is checked first (`KernelBatch`).
    static func isRuleBytes(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { b in
            var last: UInt16 = 0
            var end = 0
            for a in NetfilterNetlink.Attributes(b, from: 0) {
                // 4, then 5 and 7 at most once each, in that order.
                guard a.type == 4 ? last == 0 : (a.type == 5 || a.type == 7) && last != 0 && a.type > last else { return false }
                last = a.type
                end = (a.value.upperBound + 3) & ~3
            }
            return last != 0 && end == b.count
        }
    }

    static func contains(_ bytes: UnsafeRawBufferPointer, _ pattern: [UInt8]) -> Bool {
        guard let base = bytes.baseAddress, let first = pattern.first, bytes.count >= pattern.count else { return false }
        // memchr to each candidate (glibc's memmem is not visible to Swift), then a compare.
        var at = 0
        let last = bytes.count - pattern.count
        while at <= last, let hit = memchr(base + at, Int32(first), last - at + 1) {
            at = base.distance(to: UnsafeRawPointer(hit))
            if pattern.withUnsafeBytes({ memcmp(base + at, $0.baseAddress!, pattern.count) }) == 0 { return true }
            at += 1
        }
        return false
    }
}
