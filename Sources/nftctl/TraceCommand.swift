import ArgumentParser
import NFTAnalysis
import NFTCtlKit

enum TraceFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

struct TraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Follow one packet offline through every base chain of FILE and print each step and the verdict.",
        discussion: """
            PACKET: PROTO SRC[:PORT] -> DST[:PORT] [iif NAME] [oif NAME] [state new|established|related|invalid] \
            [hook prerouting|input|forward|output|postrouting] [mark N] [ctmark N] [type ICMPTYPE] [code N] \
            [flags syn,ack,...]. PROTO: tcp, udp, icmp, icmpv6, sctp; IPv6 with a port as [ADDR]:PORT.

            Path: without `hook`, a packet with `oif` is routed through this host (prerouting -> forward -> \
            postrouting), any other is addressed to it (prerouting -> input). `hook output` is a packet this \
            host sends (output -> postrouting). Base chains of the ip/ip6/inet tables run in priority order; \
            nat chains only for a connection's first packet. A match the description cannot decide \
            (no state given, tcp flags, fib, socket, ...) makes the verdict `undetermined`; the trace says which rule.
            Exit status: 0 accept, 1 drop/reject/queue, 3 undetermined.
            """
    )

    @Argument(help: "A rules file: .swift, .json or .nft.")
    var file: String

    @Option(name: .long, help: ArgumentHelp("The packet to follow (see below).", valueName: "PACKET"))
    var packet: String

    @Option(name: .long, help: "Output format: text or json.")
    var format: TraceFormat = .text

    func run() throws {
        let spec: PacketSpec
        do { spec = try PacketSpec.parse(packet) } catch { throw ValidationError("--packet: \(error.message)") }
        let input = try InputLoader.load(file)
        try Self.show(Simulator(state: input.state).trace(spec), json: format == .json)
    }

    /// Prints a trace (also `explain --packet`'s) and exits with its status.
    static func show(_ trace: Trace, json: Bool) throws {
        try emit(json ? trace.json.serialized(.pretty) : trace.renderText(), to: nil)
        if trace.exitStatus != 0 { throw ExitCode(trace.exitStatus) }
    }
}
