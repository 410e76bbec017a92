import ArgumentParser
import Foundation
import NFTAnalysis
import NFTCtlKit

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the managed tables, the last apply, a pending --confirm, and drift from the last apply.",
        discussion: """
            Drift: the live managed tables compared with the ruleset saved by the last apply (the \
            unconfirmed one while a --confirm is pending), shown as the changes `nftctl restore` \
            would make, in `nftctl diff`'s format. Exit status: 0 no drift (or nothing saved yet), \
            1 drift, 2 trouble. Reading the live ruleset needs CAP_NET_ADMIN.
            """
    )

    @OptionGroup var namespace: NetnsOption

    @Option(name: .long, help: "Output format: text or json.")
    var format: PlanFormat = .text

    func run() throws {
        let status: Status
        do {
            status = try Status.read(store: StateStore(netns: namespace.netns), backend: try namespace.backend(), netns: namespace.netns)
        } catch {
            printError(ErrorOutput.line(error))
            throw ExitCode(2)
        }
        switch format {
        case .text: print(status.text(renderer: PlanRenderer(color: Terminal.colorOutput, spelling: { $0.flag })))
        case .json: print(status.json(renderer: PlanRenderer(color: false, spelling: { $0.flag })).serialized(.pretty))
        }
        if status.hasDrift { throw ExitCode(1) }
    }
}
