/// The kernel's tables with their flags and comments, read with one netlink dump
/// (`NFT_MSG_GETTABLE`): what 1.0.6's JSON listing loses about tables (it prints flags from
/// freed memory and drops comments), without a text listing of every rule. Like
/// `GenerationID`, the socket opens in the calling thread's network namespace.
enum KernelTables {
    struct Table: Equatable {
        var family: String
        var name: String
        /// `NFTA_TABLE_FLAGS` (dormant = 1, owner = 2, …).
        var flags: UInt32
        var comment: String?
    }

    static let getTable = NetfilterNetlink.nftables(1)  // NFT_MSG_GETTABLE
    static let newTable = NetfilterNetlink.nftables(0)  // NFT_MSG_NEWTABLE, each dumped table
    static let families: [UInt8: String] = [1: "inet", 2: "ip", 3: "arp", 5: "netdev", 7: "bridge", 10: "ip6"]
    /// nf_tables' number of `family` (nfgenmsg's); nil for one it does not know.
    static func code(of family: String) -> UInt8? { families.first { $0.value == family }?.key }
    static let operation = "list the tables"

    static func read() throws(BackendError) -> [Table] {
        var tables: [Table] = []
        try NetfilterNetlink.request(getTable, flags: NetfilterNetlink.nlmFDump, operation: operation, bufferSize: 65536) {
            (type, body) throws(BackendError) in
            if let t = table(type, body) { tables.append(t) }
            return false
        }
        return tables
    }

    /// Walks the netlink messages of one datagram into `tables`; true at the end of the dump.
    static func parse(_ data: ArraySlice<UInt8>, seq: UInt32, into tables: inout [Table]) throws(BackendError) -> Bool {
        var found: [Table] = []
        let done = try NetfilterNetlink.walk(data, seq: seq, operation: operation) { (type, body) throws(BackendError) in
            if let t = table(type, body) { found.append(t) }
            return false
        }
        tables += found
        return done
    }

    /// The table a NEWTABLE message describes (nil for any other message or family).
    static func table(_ type: UInt16, _ body: ArraySlice<UInt8>) -> Table? {
        guard type == newTable, body.count >= 4, let family = families[body[body.startIndex]] else { return nil }
        var table = Table(family: family, name: "", flags: 0)
        for a in NetfilterNetlink.attributes(body) {
            switch a.type {
            case 1: table.name = cString(a.value)  // NFTA_TABLE_NAME
            case 2: table.flags = NetfilterNetlink.bigEndian32(a.value) ?? 0  // NFTA_TABLE_FLAGS
            case 6: table.comment = comment(a.value)  // NFTA_TABLE_USERDATA
            default: break
            }
        }
        return table
    }

    static func cString(_ bytes: some Collection<UInt8>) -> String {
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// libnftnl's user data: `type, length, value` records; the comment is type 0
    /// (`NFTNL_UDATA_TABLE_COMMENT`), NUL-terminated.
    static func comment(_ udata: ArraySlice<UInt8>) -> String? {
        var i = udata.startIndex
        while i + 2 <= udata.endIndex {
            let type = udata[i], len = Int(udata[i + 1])
            guard i + 2 + len <= udata.endIndex else { return nil }
            if type == 0 { return cString(udata[i + 2..<i + 2 + len]) }
            i += 2 + len
        }
        return nil
    }
}
