/// What the `nftctl init` files share, written once: the rules file's preamble (how nftctl
/// reads the directory, the commands to run), the tests file's header, and the opening of
/// every template's input chain. Interpolated at the start of a line of a template.
enum TemplateText {
    static let preamble = """
        // Every .swift file in this directory belongs to one rules program; one of them defines
        // `let ruleset`. nftctl only ever touches the tables declared here: other programs' tables
        // (Docker, libvirt, fail2ban) are left alone.
        //
        //   nftctl check DIR                     validate, offline, no root needed
        //   nftctl test DIR DIR/firewall.tests   the packet assertions, offline
        //   nftctl diff DIR                      what an apply would change (root)
        //   nftctl apply --confirm 2m DIR        apply; rolled back in 2 minutes unless...
        //   nftctl confirm                       ...you confirm (the saved copy then restores at boot)
        import NFTables
        """

    /// The tests file's header; `source` says where the rules came from, `note` adds a line.
    static func testsHeader(source: String? = nil, note: String? = nil) -> String {
        """
        # Packet assertions for firewall.swift\(source.map { " (\($0))" } ?? ""): `nftctl test DIR DIR/firewall.tests`.
        # One a line: PACKET => accept|drop|reject|queue (PACKET as in `nftctl trace`).
        """ + (note.map { "\n# \($0)" } ?? "")
    }

    /// Who may log in with SSH (the input chains' `ip.saddr == admins`).
    static func admins(_ entries: String...) -> String {
        """
        // Who may log in with SSH. An interval set: addresses and prefixes.
        let admins = set("admins", type: .ipv4Addr, flags: [.interval]) {
        \(entries.map { "    \"\($0)\"" }.joined(separator: "\n"))
        }
        """
    }

    /// The input chain, its policy drop, and its first rules: loopback, replies, invalid.
    static let inputChain = """
        let input = chain("input", hook: .input, priority: .filter, policy: .drop) {
            rule(meta.iifname == "lo", accept)
            rule(ct.state.has(.established, .related), accept, comment: "replies to what this host started")
            rule(ct.state.has(.invalid), drop)
        """
}
