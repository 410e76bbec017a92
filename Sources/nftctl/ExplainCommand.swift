import ArgumentParser
import Foundation
import NFTAnalysis
import NFTCtlKit

enum ExplainFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, mermaid
}

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Explain rules in plain English, with the context of their table, chain and hook.",
        discussion: """
            INPUT is a rules file (.swift, .json, .nft) or, when no such file exists, one rule in nft \
            syntax ('ip saddr 192.168.1.100 drop'), which is parsed by libnftables in a throw-away \
            namespace inside a chain of --family, --hook and --chain-type, with stand-ins for the chains, \
            sets and named objects it names. --live explains the \
            ruleset in the kernel (of --netns NAME). For every rule: what it matches and what it \
            does; for every chain: its hook, priority and order among the base chains on that hook \
            in all tables (nat chains run at the NAT core's priority, as trace assumes), where it sits \
            relative to defragmentation, conntrack and NAT, its policy, and who jumps to it; for every set and map: what it holds. \
            With --packet, the exit status is trace's: 0 accept, 1 drop/reject/queue, 3 undetermined.
            """
    )

    @Argument(help: ArgumentHelp("A rules file, or one rule in nft syntax.", valueName: "FILE|RULE"))
    var input: String?

    @Flag(name: .long, help: "Explain the live ruleset instead of a file.")
    var live = false

    @OptionGroup var namespace: NetnsOption

    @Option(
        name: .long, parsing: .upToNextOption,
        help: ArgumentHelp("Only this table.", valueName: "FAMILY NAME"))
    var table: [String] = []

    @Option(name: .long, help: "Only this chain.")
    var chain: String?

    @Option(name: .long, help: ArgumentHelp("Only the Nth rule of --chain (1 is the first).", valueName: "N"))
    var rule: Int?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Follow this packet through every base chain it would traverse instead (e.g. 'tcp 198.51.100.7:40000 -> 203.0.113.10:443 iif eth0 state new'; see `nftctl trace --help`).",
            valueName: "PACKET"))
    var packet: String?

    @Option(name: .long, help: "Output format: text, json or mermaid.")
    var format: ExplainFormat = .text

    @Option(name: .long, help: "Family of the chain a single RULE is explained in.")
    var family = "inet"

    @Option(name: .long, help: "Hook of the chain a single RULE is explained in.")
    var hook = "input"

    @Option(name: .customLong("chain-type"), help: "Type of the chain a single RULE is explained in (filter, nat, route).")
    var chainType = "filter"

    func validate() throws {
        if live == (input != nil) { throw ValidationError("give either FILE|RULE or --live") }
        if !table.isEmpty && table.count != 2 { throw ValidationError("--table takes two values: FAMILY NAME") }
        if rule != nil && chain == nil { throw ValidationError("--rule needs --chain") }
        if namespace.netns != nil && !live { throw ValidationError("--netns goes with --live") }
    }

    func run() throws {
        var selection = ExplainSelection(
            table: table.count == 2 ? TableKey(family: table[0], name: table[1]) : nil,
            chain: chain, rule: rule)
        let state: RulesetState
        if live {
            let listing = try namespace.backend().list()
            do { state = try RulesetState(document: listing, keepHandles: true) } catch { throw ExplainError(error.description) }
        } else if let input, FileManager.default.fileExists(atPath: input) {
            state = try InputLoader.load(input).state
        } else {
            state = try RuleText.state(input ?? "", family: family, hook: hook, chainType: chainType)
            selection = ExplainSelection(table: TableKey(family: family, name: RuleText.table), chain: RuleText.chain, rule: nil)
        }
        if let packet {
            let spec: PacketSpec
            do { spec = try PacketSpec.parse(packet) } catch { throw ValidationError("--packet: \(error.message)") }
            if format == .mermaid { throw ValidationError("--packet prints text or json") }
            return try TraceCommand.show(Simulator(state: state).trace(spec), json: format == .json)
        }
        let explanation = try Explainer.explain(state, selection: selection)
        switch format {
        case .text: try emit(explanation.text, to: nil)
        case .json: try emit(explanation.json.serialized(.pretty), to: nil)
        case .mermaid: try emit(explanation.mermaid, to: nil)
        }
    }
}
