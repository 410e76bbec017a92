/// Output options of the nft text printer, mirroring the libnftables output flags that
/// change how a listing reads.
public struct PrintContext: Sendable, Hashable {
    /// The table family (`ip`, `inet`, ...). Some defaults depend on it: a plain `reject`
    /// means `icmp port-unreachable` in `ip` but `icmpx port-unreachable` in `inet`, and
    /// bridge chains have their own priority names.
    public var family: String?
    /// Print `# handle N` after rules, chains, sets and tables (`nft -a`).
    public var handles: Bool
    /// Print layer-4 protocols as numbers (`ip protocol 6`), like `NFT_CTX_OUTPUT_NUMERIC_PROTO`;
    /// otherwise known numbers print as names (`ip protocol tcp`), as `nft list` does.
    public var numericProtocol: Bool
    /// Leave out counter values, quota usage and element expiry (`nft -s`).
    public var stateless: Bool
    /// Text for `nft -f` rather than for reading: where nft's listing names two kernel
    /// expressions alike, write the one the model holds (`ct original saddr` without a
    /// family loads as `meta nfproto ipv4 ct original saddr` in inet, not as
    /// `ct original ip saddr`, which is another expression).
    public var forLoading: Bool

    public init(
        family: String? = nil, handles: Bool = false, numericProtocol: Bool = false,
        stateless: Bool = false, forLoading: Bool = false
    ) {
        self.family = family
        self.handles = handles
        self.numericProtocol = numericProtocol
        self.stateless = stateless
        self.forLoading = forLoading
    }

    /// The same options for another family (used when printing inside a table).
    func with(family: String) -> PrintContext {
        var c = self
        c.family = family
        return c
    }
}
