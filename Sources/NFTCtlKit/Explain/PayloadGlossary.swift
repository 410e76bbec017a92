import NFTAnalysis

/// Header fields by protocol, with their width where it helps to know what the bits mean.
extension Phraser {
    static let protocolNames: [String: String] = [
        "ether": "Ethernet", "vlan": "VLAN", "arp": "ARP", "ip": "IPv4", "ip6": "IPv6", "tcp": "TCP",
        "udp": "UDP", "udplite": "UDP-Lite", "sctp": "SCTP", "dccp": "DCCP", "icmp": "ICMP", "icmpv6": "ICMPv6",
        "igmp": "IGMP", "ah": "IPsec AH", "esp": "IPsec ESP", "comp": "IPComp", "th": "transport-layer",
        "gre": "GRE", "gretap": "GRETAP", "geneve": "Geneve", "vxlan": "VXLAN"
    ]

    static let payloadFields: [String: [String: String]] = [
        "ether": [
            "daddr": "destination MAC address", "saddr": "source MAC address",
            "type": "EtherType (16 bits: the protocol carried by the frame)"
        ],
        "vlan": [
            "id": "ID (12 bits of the 802.1Q tag)", "dei": "drop-eligible indicator bit (DEI)",
            "cfi": "canonical format indicator bit (CFI, now DEI)",
            "pcp": "priority code point (3-bit 802.1p priority)", "type": "EtherType (the protocol after the 802.1Q tag)"
        ],
        "arp": [
            "htype": "hardware type (1 = Ethernet)", "ptype": "protocol type (0x0800 = IPv4)", "hlen": "hardware address length in bytes",
            "plen": "protocol address length in bytes", "operation": "operation (request, reply, ...)",
            "saddr ether": "sender hardware (MAC) address", "daddr ether": "target hardware (MAC) address",
            "saddr ip": "sender IPv4 address", "daddr ip": "target IPv4 address"
        ],
        "ip": [
            "version": "version field (4 bits; 4 for IPv4)", "hdrlength": "header length (4 bits, in 32-bit words)",
            "dscp": "DSCP (the 6-bit Differentiated Services Code Point)", "ecn": "ECN bits (the 2-bit Explicit Congestion Notification)",
            "length": "total length (bytes, header included)", "id": "identification (16 bits, shared by the fragments of one datagram)",
            "frag-off":
                "flags and fragment offset (16 bits: 0x8000 reserved, 0x4000 don't fragment, 0x2000 more fragments, then the 13-bit offset in 8-byte units)",
            "ttl": "time to live (hops left)", "protocol": "protocol field (the layer-4 protocol)",
            "checksum": "header checksum", "saddr": "source address", "daddr": "destination address"
        ],
        "ip6": [
            "version": "version field (4 bits; 6 for IPv6)",
            "dscp": "DSCP (the 6-bit Differentiated Services Code Point of the traffic class)",
            "ecn": "ECN bits (the 2-bit Explicit Congestion Notification)", "flowlabel": "flow label (20 bits)",
            "length": "payload length (bytes after the fixed 40-byte header)",
            "nexthdr": "next header field (the header that follows the fixed header: a layer-4 protocol or an extension header)",
            "hoplimit": "hop limit (hops left)", "saddr": "source address", "daddr": "destination address"
        ],
        "tcp": [
            "sport": "source port", "dport": "destination port", "sequence": "sequence number", "ackseq": "acknowledgement number",
            "doff": "data offset (4 bits: header length in 32-bit words)", "reserved": "reserved bits",
            "flags": "flags", "window": "window size", "checksum": "checksum", "urgptr": "urgent pointer"
        ],
        "udp": [
            "sport": "source port", "dport": "destination port", "length": "length (header and data, in bytes)", "checksum": "checksum"
        ],
        "udplite": [
            "sport": "source port", "dport": "destination port", "csumcov": "checksum coverage (bytes covered by the checksum)",
            "checksum": "checksum"
        ],
        "th": [
            "sport": "source port (the first 16 bits of the TCP, UDP, UDP-Lite, SCTP or DCCP header)",
            "dport": "destination port (bits 16-31 of the TCP, UDP, UDP-Lite, SCTP or DCCP header)"
        ],
        "sctp": ["sport": "source port", "dport": "destination port", "vtag": "verification tag", "checksum": "checksum"],
        "dccp": ["sport": "source port", "dport": "destination port", "type": "packet type"],
        "icmp": [
            "type": "type", "code": "code", "checksum": "checksum", "id": "echo identifier", "sequence": "echo sequence number",
            "gateway": "gateway address (of a redirect)", "mtu": "next-hop MTU (of a 'fragmentation needed' error)"
        ],
        "icmpv6": [
            "type": "type", "code": "code", "checksum": "checksum", "parameter-problem": "parameter-problem pointer",
            "packet-too-big": "MTU of a 'packet too big' error", "mtu": "MTU of a 'packet too big' error",
            "id": "echo identifier", "sequence": "echo sequence number", "max-delay": "maximum response delay (of an MLD query)",
            "taddr": "target address (of a neighbour solicitation/advertisement or redirect)",
            "daddr": "destination address (of a redirect)"
        ],
        "igmp": ["type": "type", "mrt": "maximum response time", "checksum": "checksum", "group": "group address"],
        "ah": [
            "nexthdr": "next header", "hdrlength": "payload length (in 32-bit words, minus 2)", "reserved": "reserved field",
            "spi": "security parameter index (SPI)", "sequence": "sequence number"
        ],
        "esp": ["spi": "security parameter index (SPI)", "sequence": "sequence number"],
        "comp": ["nexthdr": "next header", "flags": "flags", "cpi": "compression parameter index (CPI)"],
        "gre": ["version": "version (3 bits)", "flags": "flags", "protocol": "protocol type (EtherType of the payload)"],
        "geneve": ["vni": "virtual network identifier (VNI)", "flags": "flags", "type": "protocol type"],
        "vxlan": ["vni": "virtual network identifier (VNI)", "flags": "flags"]
    ]

    func payload(_ p: Payload) -> String {
        switch p {
        case .field(let proto, let field):
            guard let name = Self.protocolNames[proto], let fields = Self.payloadFields[proto] else {
                return gap("payload protocol \(proto)", "the \(proto) header field \(field)")
            }
            guard let f = fields[field] else { return gap("payload field \(proto) \(field)", "the \(name) header field \(field)") }
            return "the \(name) \(f)"
        case .raw(let base, let offset, let len):
            return rawBits(offset: offset, len: len, of: Self.baseName(base) ?? gap("payload base \(base)", "the \(base) header"))
        }
    }

    static func baseName(_ base: String) -> String? {
        switch base {
        case "ll": return "the link-layer header (for Ethernet: starting at the destination MAC address)"
        case "nh": return "the network header (the IPv4, IPv6 or ARP header)"
        case "th": return "the transport header (the TCP, UDP, SCTP, ICMP, ... header)"
        case "ih": return "the inner header (the data right after the transport header: the application payload)"
        default: return nil
        }
    }

    /// `len` bits from bit `offset` of something, in bytes when aligned.
    func rawBits(offset: Int, len: Int, of what: String) -> String {
        if offset % 8 == 0 && len % 8 == 0 && len > 0 {
            let first = offset / 8, n = len / 8
            let bytes = n == 1 ? "byte \(first)" : "bytes \(first)-\(first + n - 1)"
            return "the raw \(len)-bit value at \(bytes) (counting from 0) of \(what)"
        }
        let last = offset + max(len, 1) - 1
        return
            "the raw \(len)-bit value at bits \(offset)-\(last) (byte \(offset / 8), bit \(offset % 8) counted from the most significant bit, onwards) of \(what)"
    }

    // MARK: IPv6 extension headers

    static let extensionHeaders: [String: String] = [
        "hbh": "IPv6 hop-by-hop options header", "rt": "IPv6 routing header", "rt0": "IPv6 type-0 routing header",
        "rt2": "IPv6 type-2 routing header", "rt4": "IPv6 segment routing header", "srh": "IPv6 segment routing header",
        "frag": "IPv6 fragment header", "dst": "IPv6 destination options header", "mh": "IPv6 mobility header"
    ]

    static let extensionFields: [String: String] = [
        "nexthdr": "next header field", "hdrlength": "header length (in 8-byte units, not counting the first 8 bytes)",
        "type": "type", "seg-left": "segments left", "reserved": "reserved field", "reserved2": "second reserved field (2 bits)",
        "frag-off": "fragment offset (13 bits, in 8-byte units)", "more-fragments": "more-fragments bit",
        "id": "identification (32 bits)", "checksum": "checksum", "flags": "flags", "tag": "tag",
        "last-entry": "last-entry index (of the segment list)"
    ]

    func exthdr(_ name: String, _ field: String?, _ offset: Int?) -> String {
        guard let header = Self.extensionHeaders[name] else {
            return gap("exthdr \(name)", "the IPv6 extension header \(name)" + (field.map { " field \($0)" } ?? ""))
        }
        guard let field else { return "the \(header)" }
        if let f = Self.extensionFields[field] { return "the \(header)'s \(f)" }
        // Indexed fields: `addr[1]` of rt0, `sid[2]` of srh.
        if let open = field.firstIndex(of: "["), field.hasSuffix("]") {
            let base = String(field[..<open]), index = field[field.index(after: open)..<field.index(before: field.endIndex)]
            switch base {
            case "addr": return "address number \(index) of the \(header)"
            case "sid": return "segment ID number \(index) (an IPv6 address) of the \(header)'s segment list"
            default: break
            }
        }
        return gap("exthdr field \(name) \(field)", "the \(header) field \(field)")
    }
}
