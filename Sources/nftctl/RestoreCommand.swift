import ArgumentParser
import Foundation
import NFTAnalysis
import NFTCtlKit

struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Apply the ruleset saved by the last successful apply (what nftctl.service runs at boot).",
        discussion: """
            Every successful apply (with --confirm: once confirmed) saves the compiled tables it \
            applied in the state directory (/var/lib/nftctl/host/ruleset.json, or netns-NAME for \
            --netns; NFTCTL_STATE_DIR overrides). restore applies that batch like `nftctl apply`: one \
            transaction, verified, only those tables touched. It needs no swiftc and no rules file. \
            A missing or unreadable saved ruleset is an error and nothing is changed. \
            A --confirm left pending from before this boot is dropped: the saved ruleset is the last \
            confirmed one. Needs CAP_NET_ADMIN.
            """
    )

    @OptionGroup var namespace: NetnsOption
    @OptionGroup var lockWait: LockWaitOption

    func run() throws {
        let store = StateStore(netns: namespace.netns)
        let report = try RestoreOperation.run(
            store: store, backend: try namespace.backend(), netns: namespace.netns,
            lock: .init(netns: namespace.netns, wait: lockWait.wait, what: "restore"))
        let names = report.tables.map { "\($0.family) \($0.name)" }.joined(separator: ", ")
        if report.applied {
            print(
                "restored \(names) from \(store.rulesetFile.path) in one transaction (\(report.commands) command\(report.commands == 1 ? "" : "s")); verified"
            )
        } else {
            print("\(names): already as saved; nothing to do")
        }
        for w in report.warnings { printError("warning: \(w)") }
    }
}
