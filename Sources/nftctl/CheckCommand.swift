import ArgumentParser
import NFTAnalysis
import NFTCtlKit

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate FILE: nftctl's own checks, then a real load into a throw-away namespace.",
        discussion: """
            Own checks: undefined chains, sets, maps and objects; jump/goto loops; hook, chain type, \
            family and priority combinations; NAT, reject and tproxy only where the kernel allows them; \
            matches that cannot happen in the table's family; names, comments, log prefixes, interface \
            names and strings that nft cannot write (control characters, a `"` inside quotes, names that are \
            not nft identifiers) or that exceed the kernel's lengths (names 255 bytes, comments 128, log \
            prefixes 127, interface names 15). Warnings (lint): unreachable, shadowed and \
            duplicate rules, unused chains, sets and maps, a policy-drop input chain without an \
            established/related accept. Then the kernel itself loads the ruleset \
            in a user+network namespace of its own (no root needed; the host is not touched).
            """
    )

    @Argument(help: "A rules file: .swift, .json or .nft (or a directory of .swift files).")
    var file: String

    func run() throws {
        let report = try CheckOperation.run(file)
        for d in report.diagnostics { printError(d.description) }
        if !report.loaded { throw ExitCode.failure }
        let t = report.tables, r = report.rules, w = report.diagnostics.count
        print(
            "\(SafeText.escape(file)): ok (\(t) table\(t == 1 ? "" : "s"), \(r) rule\(r == 1 ? "" : "s"); the kernel accepts it)"
                + (w > 0 ? "; \(w) warning\(w == 1 ? "" : "s")" : ""))
    }
}
