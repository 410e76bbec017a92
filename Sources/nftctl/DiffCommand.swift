import ArgumentParser
import Foundation
import NFTAnalysis
import NFTCtlKit

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show what applying FILE would change, in nft syntax.",
        discussion: """
            Compares the tables FILE declares with the live ruleset (or --netns NAME), or with \
            --against: a snapshot (`nftctl list --format json` saved from a host) or a second rules \
            file, so it runs in CI with no root and no firewall. What the kernel normalises (implicit \
            protocol matches, set order, names vs numbers, default policies, counter values, handles, \
            element expiry) is never a difference: the rules are first loaded into a throw-away \
            namespace on this kernel and listed back. Each entry has one marker: `+` added (a rule \
            added to an existing chain says `# after: RULE` or `# at the top of chain C`), `-` \
            removed, `~` changed (the old text, then `  → ` and the new text below it); element \
            changes are one `-` and one `+` line per set. The summary counts these markers. \
            `# handle N` (kernel handles) shows only against a live kernel. After nftctl's own verified \
            apply, while the kernel's generation id shows nobody has committed since, the live side is \
            the listing nftctl remembered then (as an apply plans from it), not a new one. Exit status \
            like diff(1): 0 no changes, 1 changes, 2 trouble.
            """
    )

    @Argument(help: "A rules file: .swift, .json or .nft (or a directory of .swift files).")
    var file: String

    @OptionGroup var namespace: NetnsOption

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Compare with a snapshot or a second rules file instead of the live ruleset.",
            valueName: "SNAPSHOT|FILE2"))
    var against: String?

    @Option(name: .long, help: "Output format: text or json.")
    var format: PlanFormat = .text

    func validate() throws {
        if against != nil && namespace.netns != nil { throw ValidationError("use either --netns or --against, not both") }
    }

    func run() throws {
        do {
            let (plan, notes) = try DiffOperation.plan(
                file, against: against, store: StateStore(netns: namespace.netns), netns: namespace.netns,
                live: { try namespace.backend() })
            for note in notes { printError(note.description) }
            // Handles are the live kernel's; a snapshot's or a second file's mean nothing here.
            let showHandles = against == nil
            switch format {
            case .text: print(PlanRenderer(color: Terminal.colorOutput, showHandles: showHandles, spelling: { $0.flag }).text(plan))
            case .json: print(PlanRenderer(color: false, showHandles: showHandles, spelling: { $0.flag }).json(plan).serialized(.pretty))
            }
            if !plan.isEmpty { throw ExitCode(1) }
        } catch let e as ExitCode {
            throw e
        } catch {
            printError(ErrorOutput.line(error))
            throw ExitCode(2)
        }
    }
}

enum PlanFormat: String, ExpressibleByArgument, CaseIterable { case text, json }
