import ArgumentParser
import Foundation
import NFTAnalysis
import NFTCtlKit

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Turn a ruleset (libnftables JSON, .nft, or the live one) into Swift DSL source.",
        discussion: """
            One top-level `let` per chain, set, map and named object; `let ruleset = Ruleset { ... }` names \
            them. The source compiles and evaluates back to the same ruleset: what the typed DSL has no \
            spelling for is written in the model's own form (`statement(...)`, `Value(...)`). \
            A table that looks like another program's (Docker, kube-proxy, fail2ban, firewalld, libvirt) \
            gets a comment saying so; choose your own tables with --table and --exclude. \
            Reading the live ruleset needs root (CAP_NET_ADMIN); nothing is changed.
            """
    )

    @Argument(help: "A ruleset file: .json, .nft or .swift (omit with --live).")
    var file: String?

    @Flag(name: .long, help: "Import the live ruleset (of --netns NAME when given).")
    var live = false

    @OptionGroup var namespace: NetnsOption

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the source to OUT instead of standard output.", valueName: "OUT.swift"))
    var output: String?

    @Option(
        name: .long, parsing: .upToNextOption,
        help: ArgumentHelp("Import only this table (repeatable).", valueName: "FAMILY NAME"))
    var table: [String] = []

    @Option(
        name: .long, parsing: .upToNextOption,
        help: ArgumentHelp("Leave this table out (repeatable), e.g. another program's.", valueName: "FAMILY NAME"))
    var exclude: [String] = []

    func validate() throws {
        if live == (file != nil) { throw ValidationError("give either FILE or --live") }
        if namespace.netns != nil && !live { throw ValidationError("--netns needs --live") }
        if table.count % 2 != 0 { throw ValidationError("--table takes two values: FAMILY NAME") }
        if exclude.count % 2 != 0 { throw ValidationError("--exclude takes two values: FAMILY NAME") }
    }

    static func pairs(_ v: [String]) -> [(String, String)] {
        stride(from: 0, to: v.count - 1, by: 2).map { (v[$0], v[$0 + 1]) }
    }

    func run() throws {
        let state: RulesetState
        let origin: String
        if live {
            state = try ImportSource.live(netns: namespace.netns)
            origin = namespace.netns.map { "the live ruleset of namespace \($0)" } ?? "the live ruleset"
        } else {
            state = try ImportSource.load(file!)
            origin = (file! as NSString).lastPathComponent
        }
        let only = Self.pairs(table)
        let selected = state.selecting(only: only, excluding: Self.pairs(exclude))
        for (f, n) in only where !state.tables.contains(where: { $0.table.value.family == f && $0.table.value.name == n }) {
            throw Problem("\(origin) has no table \(f) \(n)")
        }
        var importer = RulesetImporter()
        importer.spell = { $0.flag }
        let result = importer.importRuleset(selected, origin: origin)
        try emit(result.source, to: output)
        for n in result.notes { printError("nftctl import: cannot express \(n)") }
    }
}
