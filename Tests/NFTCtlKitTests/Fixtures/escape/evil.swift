import NFTables
// Names and comments a hostile pull request could hold: an ANSI escape, a newline that
// would forge a plan line, and nft syntax that would end a quoted string.
let input = chain("input", hook: .input, priority: .filter, policy: .accept, comment: "ok\u{1b}[2J\n+ table ip injected") {
    rule(tcp.dport == 22, accept, comment: "x\"; flush ruleset; \"")
}
let ruleset = Ruleset { table("filter", family: .inet) { input } }
