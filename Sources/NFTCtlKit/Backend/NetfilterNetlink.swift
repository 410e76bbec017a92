import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One request to nf_tables over a netfilter netlink socket, opened in the calling thread's
/// network namespace: the request, the receive loop (5 s timeout) and the message walk that
/// `GenerationID` and `KernelTables` share. Host byte order for the netlink header, network
/// order for nf_tables attributes, as the kernel speaks them.
enum NetfilterNetlink {
    static let protocolNumber: Int32 = 12  // NETLINK_NETFILTER
    static let nlmsgError: UInt16 = 2  // NLMSG_ERROR
    static let nlmsgDone: UInt16 = 3  // NLMSG_DONE
    static let nlmFRequest: UInt16 = 1
    static let nlmFDump: UInt16 = 0x300  // NLM_F_ROOT | NLM_F_MATCH
    static let nlmFDumpIntr: UInt16 = 0x10  // NLM_F_DUMP_INTR

    /// An nf_tables message type (`NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_…`).
    static func nftables(_ message: UInt16) -> UInt16 { (10 << 8) | message }

    /// Hands one reply message (its type, and its bytes after the 16-byte netlink header,
    /// nfgenmsg first) to the caller; true when the caller has what it asked for.
    typealias Take = (_ type: UInt16, _ body: ArraySlice<UInt8>) throws(BackendError) -> Bool

    /// Sends `type` with `flags` for `family` (nfgenmsg; 0, AF_UNSPEC: every family) and
    /// `attributes` (already encoded, `attribute(_:_:)`), and walks the replies to our
    /// sequence number until `take` is done or the kernel ends the dump.
    /// `operation` names the request in errors ("read the ruleset generation id").
    static func request(
        _ type: UInt16, flags: UInt16, family: UInt8 = 0, attributes: [UInt8] = [], operation: String,
        bufferSize: Int = 8192, whole: Bool = false, take: Take
    ) throws(BackendError) {
        let fd = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), protocolNumber)
        guard fd >= 0 else { throw .system(operation: "open a netfilter netlink socket", errno: errno) }
        defer { closeLater(fd) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        let seq = UInt32(truncatingIfNeeded: Int(bitPattern: UInt(time(nil)))) &+ UInt32(type)
        var request: [UInt8] = []
        // nlmsghdr (16 bytes) + nfgenmsg (family, version 0, res_id 0) + attributes.
        header(into: &request, length: 20 + attributes.count, type: type, flags: flags, seq: seq)
        request += [family, 0, 0, 0] + attributes
        // Unconnected netlink sockets send to the kernel (port 0) by default.
        let sent = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        guard sent == request.count else { throw .system(operation: operation, errno: errno) }

        var buffer = [UInt8](repeating: 0, count: bufferSize)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .system(operation: operation, errno: errno)
            }
            if try walk(buffer[0..<n], seq: seq, operation: operation, whole: whole, take: take) { return }
        }
    }

    /// Keeps a socket of ours open until the process exits, or until more than
    /// `deferredLimit` are kept (the oldest is closed then). The kernel, on the close of a
    /// netfilter netlink socket that has sent anything, takes nf_tables' commit mutex and waits
    /// for what commits left to free (`nft_rcv_nl_event`: an RCU grace period, then the
    /// freeing of deleted tables, chains and replaced rules). The first close after a commit
    /// that deleted or replaced anything made the apply wait for it (11 ms after a 100-rule
    /// `--replace`, measured); kept open, that wait overlaps the verification and what is
    /// left of it falls at the exit. Not closed on another thread: a thread started while
    /// this one is in another network namespace (`NetworkNamespace.perform`) would stay there.
    static func closeLater(_ fd: Int32) {
        let evicted = deferred.withLock { kept -> Int32? in
            kept.append(fd)
            return kept.count > deferredLimit ? kept.removeFirst() : nil
        }
        if let evicted { close(evicted) }
    }
    /// Each kept socket holds its network namespace: few, for a long-lived process (tests).
    static let deferredLimit = 8
    private static let deferred = Mutex<[Int32]>([])

    /// Walks the netlink messages of one datagram: true when `take` is done or the dump
    /// ended. Acknowledgements and other sequence numbers are skipped; a kernel error or a
    /// truncated message is thrown.
    /// `whole`: a dump the kernel marks interrupted (`NLM_F_DUMP_INTR`: a commit while it
    /// was read) is thrown rather than taken in part.
    static func walk(
        _ data: ArraySlice<UInt8>, seq: UInt32, operation: String, whole: Bool = false, take: Take
    ) throws(BackendError) -> Bool {
        var offset = data.startIndex
        while offset + 16 <= data.endIndex {
            let length = Int(u32(data, offset)), type = u16(data, offset + 4), mseq = u32(data, offset + 8)
            guard length >= 16, offset + length <= data.endIndex else {
                throw .invalidResponse("truncated netlink message in the reply to: \(operation)")
            }
            defer { offset += (length + 3) & ~3 }
            guard mseq == seq else { continue }
            if type == nlmsgDone {
                // A dump the kernel ended with an error says so here, not in an NLMSG_ERROR.
                let code = length >= 20 ? Int32(bitPattern: u32(data, offset + 16)) : 0
                if code < 0 { throw .system(operation: operation, errno: -code) }
                return true
            }
            if whole, u16(data, offset + 6) & nlmFDumpIntr != 0 {
                throw .invalidResponse("\(operation): the dump was interrupted by a commit")
            }
            if type == nlmsgError {
                let code = length >= 20 ? Int32(bitPattern: u32(data, offset + 16)) : 0
                if code == 0 { continue }
                if -code == EPERM { throw .notPermitted(operation: operation) }
                throw .system(operation: operation, errno: -code)
            }
            if try take(type, data[offset + 16..<offset + length]) { return true }
        }
        return false
    }

    /// The attributes (type without its flag bits, value) of a message body after its
    /// `header` bytes (4 for nfgenmsg); stops at a malformed one.
    static func attributes(_ body: ArraySlice<UInt8>, after header: Int = 4) -> [(type: UInt16, value: ArraySlice<UInt8>)] {
        let base = body.startIndex
        return body.withUnsafeBytes { b in
            Attributes(b, from: header).map { ($0.type, body[base + $0.value.lowerBound..<base + $0.value.upperBound]) }
        }
    }

    /// The attributes of `bytes` in a range, as (type without its flag bits, value range),
    /// read in place; stops at a malformed one. What `attributes` reads, without an array.
    struct Attributes: Sequence, IteratorProtocol {
        let bytes: UnsafeRawBufferPointer
        var at: Int
        let end: Int
        init(_ bytes: UnsafeRawBufferPointer, in range: Range<Int>) { self.bytes = bytes; at = range.lowerBound; end = range.upperBound }
        init(_ bytes: UnsafeRawBufferPointer, from start: Int) { self.init(bytes, in: Swift.min(start, bytes.count)..<bytes.count) }

        mutating func next() -> (type: UInt16, value: Range<Int>)? {
            guard at + 4 <= end else { return nil }
            let length = Int(bytes.loadUnaligned(fromByteOffset: at, as: UInt16.self))
            let type = bytes.loadUnaligned(fromByteOffset: at + 2, as: UInt16.self) & 0x3fff
            guard length >= 4, at + length <= end else { return nil }
            defer { at += (length + 3) & ~3 }
            return (type, at + 4..<at + length)
        }
    }

    /// One attribute of a request: a NUL-terminated string, padded to 4 bytes; nil for a
    /// name nf_tables cannot hold (`Message.string`).
    static func attribute(_ type: UInt16, string: String) -> [UInt8]? {
        var m = Message(family: 0)
        return m.string(type, string) ? m.bytes : nil
    }

    /// A request's netlink header: length, type, `NLM_F_REQUEST | flags`, sequence
    /// number, port 0 (the kernel), in host byte order as netlink reads it.
    static func header(into out: inout [UInt8], length: Int, type: UInt16, flags: UInt16, seq: UInt32) {
        withUnsafeBytes(of: UInt32(length)) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: type) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: nlmFRequest | flags) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: seq) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt32(0)) { out.append(contentsOf: $0) }
    }

    /// One nf_tables message's attributes, in network byte order as nf_tables reads them
    /// (after its nfgenmsg, whose family this carries).
    struct Message {
        var family: UInt8
        var bytes: [UInt8] = []

        mutating func attribute(_ type: UInt16, _ value: [UInt8]) {
            withUnsafeBytes(of: UInt16(4 + value.count)) { bytes.append(contentsOf: $0) }
            withUnsafeBytes(of: type) { bytes.append(contentsOf: $0) }
            bytes += value
            while bytes.count % 4 != 0 { bytes.append(0) }
        }

        /// A NUL-terminated string; false for an empty one, one with a NUL, or one longer
        /// than nf_tables takes (255 bytes).
        mutating func string(_ type: UInt16, _ s: String) -> Bool {
            let v = Array(s.utf8)
            guard !v.isEmpty, v.count < 256, !v.contains(0) else { return false }
            attribute(type, v + [0])
            return true
        }

        mutating func u32(_ type: UInt16, _ v: UInt32) {
            withUnsafeBytes(of: v.bigEndian) { attribute(type, Array($0)) }
        }

        mutating func u64(_ type: UInt16, _ v: UInt64) {
            withUnsafeBytes(of: v.bigEndian) { attribute(type, Array($0)) }
        }
    }

    /// A 32-bit attribute value (network byte order), nil when shorter.
    static func bigEndian32(_ value: ArraySlice<UInt8>) -> UInt32? {
        value.count >= 4 ? UInt32(bigEndian: u32(value, value.startIndex)) : nil
    }

    static func u32(_ data: ArraySlice<UInt8>, _ at: Int) -> UInt32 {
        data[at..<at + 4].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
    }

    static func u16(_ data: ArraySlice<UInt8>, _ at: Int) -> UInt16 {
        data[at..<at + 2].withUnsafeBytes { $0.loadUnaligned(as: UInt16.self) }
    }
}
