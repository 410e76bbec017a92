#if canImport(Glibc)
import Glibc
#endif

/// Reads the kernel's nf_tables ruleset generation id with one netlink request
/// (`NFT_MSG_GETGEN`). The id goes up by one on every commit by anyone and does not move on
/// a list or a dry run, so comparing it with the value seen after nftctl's own last apply
/// tells whether anyone else changed the ruleset since. Works unprivileged in a user
/// namespace. The socket is opened in the caller's (thread's) network namespace.
enum GenerationID {
    static let netlinkNetfilter: Int32 = 12  // NETLINK_NETFILTER
    static let getGen: UInt16 = (10 << 8) | 16  // NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_GETGEN
    static let newGen: UInt16 = (10 << 8) | 15  // NFT_MSG_NEWGEN, the reply
    static let nlmsgError: UInt16 = 2  // NLMSG_ERROR
    static let nlmsgDone: UInt16 = 3
    static let nlmFRequest: UInt16 = 1
    static let nftaGenID: UInt16 = 1

    static func read() throws(BackendError) -> UInt32 {
        let fd = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), netlinkNetfilter)
        guard fd >= 0 else { throw .system(operation: "open a netfilter netlink socket", errno: errno) }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        let seq = UInt32(truncatingIfNeeded: Int(bitPattern: UInt(time(nil))))
        // nlmsghdr (16 bytes, host order) + nfgenmsg (family AF_UNSPEC, version 0, res_id 0).
        var request: [UInt8] = []
        func put32(_ v: UInt32) { withUnsafeBytes(of: v) { request.append(contentsOf: $0) } }
        func put16(_ v: UInt16) { withUnsafeBytes(of: v) { request.append(contentsOf: $0) } }
        put32(20); put16(getGen); put16(nlmFRequest); put32(seq); put32(0)
        request += [0, 0, 0, 0]
        // Unconnected netlink sockets send to the kernel (port 0) by default.
        let sent = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        guard sent == request.count else { throw .system(operation: "send NFT_MSG_GETGEN", errno: errno) }

        var buffer = [UInt8](repeating: 0, count: 8192)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .system(operation: "receive the generation id", errno: errno)
            }
            if let id = try parse(Array(buffer[0..<n]), seq: seq) { return id }
        }
    }

    /// Walks the netlink messages of one datagram; nil when none answers our request yet.
    static func parse(_ data: [UInt8], seq: UInt32) throws(BackendError) -> UInt32? {
        func u32(_ at: Int) -> UInt32 {
            data[at..<at + 4].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
        }
        func u16(_ at: Int) -> UInt16 {
            data[at..<at + 2].withUnsafeBytes { $0.loadUnaligned(as: UInt16.self) }
        }
        var offset = 0
        while offset + 16 <= data.count {
            let length = Int(u32(offset)), type = u16(offset + 4), mseq = u32(offset + 8)
            guard length >= 16, offset + length <= data.count else {
                throw .invalidResponse("truncated netlink message in the generation id reply")
            }
            defer { offset += (length + 3) & ~3 }
            guard mseq == seq else { continue }
            if type == nlmsgError {
                let code = Int32(bitPattern: u32(offset + 16))
                if code == 0 { continue }
                if -code == EPERM { throw .notPermitted(operation: "read the ruleset generation id") }
                throw .system(operation: "read the ruleset generation id", errno: -code)
            }
            if type == nlmsgDone { continue }
            guard type == newGen else { continue }
            var a = offset + 16 + 4  // skip nfgenmsg
            while a + 4 <= offset + length {
                let alen = Int(u16(a)), atype = u16(a + 2) & 0x3fff
                guard alen >= 4 else { break }
                if atype == nftaGenID && alen >= 8 { return UInt32(bigEndian: u32(a + 4)) }
                a += (alen + 3) & ~3
            }
            throw .invalidResponse("NFT_MSG_NEWGEN without NFTA_GEN_ID")
        }
        return nil
    }
}
