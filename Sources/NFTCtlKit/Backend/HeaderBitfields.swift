/// Header fields that are not whole bytes: nft's proto.c, exthdr.c and tcpopt.c
/// `HDR_BITFIELD`s as nft 1.0.6 has them (for a TCP option, `proto` is the option's name).
/// libnftables crashes on rules placed by position beside an anonymous set keyed by one
/// (`PositionedRuleCrash`), and lists a named map's key of a shifted one as its raw load
/// (`ShiftedBitfieldKeys`).
enum HeaderBitfields {
    struct Field: Hashable {
        var proto: String
        var name: String
        /// The payload base its header starts at (`nh`, `th`; nil: a link-layer or
        /// extension header, which nftctl never reads back raw).
        var base: String?
        /// The field's place in bits from the start of its header, and its length.
        var offset: Int
        var len: Int

        /// As nft writes it: `ip dscp`.
        var spelled: String { proto + " " + name }
    }

    static let fields: [Field] = [
        Field(proto: "ip", name: "version", base: "nh", offset: 0, len: 4),
        Field(proto: "ip", name: "hdrlength", base: "nh", offset: 4, len: 4),
        Field(proto: "ip", name: "dscp", base: "nh", offset: 8, len: 6),
        Field(proto: "ip", name: "ecn", base: "nh", offset: 14, len: 2),
        Field(proto: "ip6", name: "version", base: "nh", offset: 0, len: 4),
        Field(proto: "ip6", name: "dscp", base: "nh", offset: 4, len: 6),
        Field(proto: "ip6", name: "ecn", base: "nh", offset: 10, len: 2),
        Field(proto: "ip6", name: "flowlabel", base: "nh", offset: 12, len: 20),
        Field(proto: "tcp", name: "doff", base: "th", offset: 96, len: 4),
        Field(proto: "tcp", name: "reserved", base: "th", offset: 100, len: 4),
        Field(proto: "dccp", name: "type", base: "th", offset: 67, len: 4),
        Field(proto: "vlan", name: "pcp", base: nil, offset: 0, len: 3),
        Field(proto: "vlan", name: "dei", base: nil, offset: 3, len: 1),
        Field(proto: "vlan", name: "cfi", base: nil, offset: 3, len: 1),
        Field(proto: "vlan", name: "id", base: nil, offset: 4, len: 12),
        Field(proto: "frag", name: "frag-off", base: nil, offset: 16, len: 13),
        Field(proto: "frag", name: "reserved2", base: nil, offset: 29, len: 2),
        Field(proto: "frag", name: "more-fragments", base: nil, offset: 31, len: 1),
        Field(proto: "mptcp", name: "subtype", base: nil, offset: 16, len: 4)
    ]

    /// Every field as nft writes it.
    static let spelled: Set<String> = Set(fields.map(\.spelled))

    /// A field's own name, with spaces either side, for finding it in nft text
    /// (`PositionedRuleCrash.triggers`' anonymous chains).
    static let spacedNames: Set<String> = Set(fields.map { " \($0.name) " })

    static func field(_ proto: String, _ name: String) -> Field? { fields.first { $0.proto == proto && $0.name == name } }
}
