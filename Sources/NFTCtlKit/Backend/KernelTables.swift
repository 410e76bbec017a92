#if canImport(Glibc)
import Glibc
#endif

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

    static let getTable: UInt16 = (10 << 8) | 1  // NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_GETTABLE
    static let newTable: UInt16 = (10 << 8) | 0  // NFT_MSG_NEWTABLE, each dumped table
    static let nlmFDump: UInt16 = 0x300  // NLM_F_ROOT | NLM_F_MATCH
    static let families: [UInt8: String] = [1: "inet", 2: "ip", 3: "arp", 5: "netdev", 7: "bridge", 10: "ip6"]

    static func read() throws(BackendError) -> [Table] {
        let fd = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), GenerationID.netlinkNetfilter)
        guard fd >= 0 else { throw .system(operation: "open a netfilter netlink socket", errno: errno) }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        let seq = UInt32(truncatingIfNeeded: Int(bitPattern: UInt(time(nil)))) &+ 1
        var request: [UInt8] = []
        func put32(_ v: UInt32) { withUnsafeBytes(of: v) { request.append(contentsOf: $0) } }
        func put16(_ v: UInt16) { withUnsafeBytes(of: v) { request.append(contentsOf: $0) } }
        // nlmsghdr + nfgenmsg (AF_UNSPEC: every family).
        put32(20); put16(getTable); put16(GenerationID.nlmFRequest | nlmFDump); put32(seq); put32(0)
        request += [0, 0, 0, 0]
        let sent = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        guard sent == request.count else { throw .system(operation: "send NFT_MSG_GETTABLE", errno: errno) }

        var tables: [Table] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .system(operation: "receive the table list", errno: errno)
            }
            if try parse(buffer[0..<n], seq: seq, into: &tables) { return tables }
        }
    }

    /// Walks the netlink messages of one datagram into `tables`; true at the end of the dump.
    static func parse(_ data: ArraySlice<UInt8>, seq: UInt32, into tables: inout [Table]) throws(BackendError) -> Bool {
        let base = data.startIndex
        func u32(_ at: Int) -> UInt32 { data[base + at..<base + at + 4].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) } }
        func u16(_ at: Int) -> UInt16 { data[base + at..<base + at + 2].withUnsafeBytes { $0.loadUnaligned(as: UInt16.self) } }
        var offset = 0
        while offset + 16 <= data.count {
            let length = Int(u32(offset)), type = u16(offset + 4), mseq = u32(offset + 8)
            guard length >= 16, offset + length <= data.count else {
                throw .invalidResponse("truncated netlink message in the table list")
            }
            defer { offset += (length + 3) & ~3 }
            guard mseq == seq else { continue }
            if type == GenerationID.nlmsgDone { return true }
            if type == GenerationID.nlmsgError {
                let code = Int32(bitPattern: u32(offset + 16))
                if code == 0 { continue }
                if -code == EPERM { throw .notPermitted(operation: "list the tables") }
                throw .system(operation: "list the tables", errno: -code)
            }
            guard type == newTable, length >= 20 else { continue }
            guard let family = families[data[base + offset + 16]] else { continue }
            var table = Table(family: family, name: "", flags: 0)
            var a = offset + 20
            while a + 4 <= offset + length {
                let alen = Int(u16(a)), atype = u16(a + 2) & 0x3fff
                guard alen >= 4, a + alen <= offset + length else { break }
                let value = data[base + a + 4..<base + a + alen]
                switch atype {
                case 1: table.name = cString(value)  // NFTA_TABLE_NAME
                case 2 where alen >= 8: table.flags = UInt32(bigEndian: u32(a + 4))  // NFTA_TABLE_FLAGS
                case 6: table.comment = comment(value)  // NFTA_TABLE_USERDATA
                default: break
                }
                a += (alen + 3) & ~3
            }
            tables.append(table)
        }
        return false
    }

    static func cString(_ bytes: ArraySlice<UInt8>) -> String {
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
