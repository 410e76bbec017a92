/// Reads the kernel's nf_tables ruleset generation id with one netlink request
/// (`NFT_MSG_GETGEN`). The id goes up by one on every commit by anyone and does not move on
/// a list or a dry run, so comparing it with the value seen after nftctl's own last apply
/// tells whether anyone else changed the ruleset since. Works unprivileged in a user
/// namespace. The socket is opened in the caller's (thread's) network namespace.
enum GenerationID {
    static let getGen = NetfilterNetlink.nftables(16)  // NFT_MSG_GETGEN
    static let newGen = NetfilterNetlink.nftables(15)  // NFT_MSG_NEWGEN, the reply
    static let nftaGenID: UInt16 = 1
    static let operation = "read the ruleset generation id"

    static func read() throws(BackendError) -> UInt32 {
        var id: UInt32?
        try NetfilterNetlink.request(getGen, flags: 0, operation: operation) { (type, body) throws(BackendError) in
            id = try value(type, body)
            return id != nil
        }
        guard let id else { throw .invalidResponse("no NFT_MSG_NEWGEN in the reply to NFT_MSG_GETGEN") }
        return id
    }

    /// The id in one datagram of the reply to sequence number `seq`; nil when none answers yet.
    static func parse(_ data: [UInt8], seq: UInt32) throws(BackendError) -> UInt32? {
        var id: UInt32?
        _ = try NetfilterNetlink.walk(data[...], seq: seq, operation: operation) { (type, body) throws(BackendError) in
            id = try value(type, body)
            return id != nil
        }
        return id
    }

    /// The id a NEWGEN message carries (nil for any other message).
    static func value(_ type: UInt16, _ body: ArraySlice<UInt8>) throws(BackendError) -> UInt32? {
        guard type == newGen else { return nil }
        for a in NetfilterNetlink.attributes(body) where a.type == nftaGenID {
            if let id = NetfilterNetlink.bigEndian32(a.value) { return id }
        }
        throw .invalidResponse("NFT_MSG_NEWGEN without NFTA_GEN_ID")
    }
}
