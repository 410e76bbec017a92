import ArgumentParser
import NFTCtlKit

extension InitTemplate.Kind: ExpressibleByArgument {}

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Start a rules directory: an example firewall in the Swift DSL and its packet tests.",
        discussion: """
            Writes DIR/firewall.swift and DIR/firewall.tests (assertions for `nftctl test`) for \
            the kind of host --template names (commented; edit to taste):
              server          SSH from admins, HTTP(S) open, nothing forwarded
              router          LAN forwarded to the uplink and masqueraded
              load-balancer   HAProxy on 80/443; the host reaches only its backends
              container-host  filters input only; Docker's tables are left alone
            Both files pass `nftctl check` and `nftctl test` as written. \
            With --from-live, firewall.swift is instead `nftctl import --live` of the live tables \
            (of --netns NAME; only those --table names, else all but tables that look like another \
            program's, such as Docker's) and firewall.tests a stub to fill; this reads the kernel's \
            ruleset (root) and changes nothing. \
            DIR is also a SwiftPM package: DIR/Package.swift builds the rules against the DSL \
            sources nftctl uses (linked as DIR/.nftctl-dsl), so `swift build` in DIR type-checks \
            them and SourceKit-LSP works in any editor; nftctl ignores Package.swift and hidden \
            folders. Refuses to overwrite: if any of these files exists, nothing is written. \
            Needs no root otherwise.
            """
    )

    @Argument(help: "The directory to create or fill.")
    var dir: String = "rules"

    @Option(help: "The kind of host (default: server).")
    var template: InitTemplate.Kind?

    @Flag(name: .long, help: "Write the rules from the live ruleset (`nftctl import --live`) instead of a template.")
    var fromLive = false

    @Option(
        name: .long, parsing: .upToNextOption,
        help: ArgumentHelp("With --from-live: import only this table (repeatable).", valueName: "FAMILY NAME"))
    var table: [String] = []

    @OptionGroup var namespace: NetnsOption

    func validate() throws {
        if table.count % 2 != 0 { throw ValidationError("--table takes two values: FAMILY NAME") }
        if fromLive && template != nil { throw ValidationError("give either --template or --from-live") }
        if !fromLive && (!table.isEmpty || namespace.netns != nil) { throw ValidationError("--table and --netns need --from-live") }
    }

    func run() throws {
        let written: [String]
        if fromLive {
            try Privilege.requireNetAdmin("reading the live ruleset")
            let live = try InitFromLive.importLive(netns: namespace.netns, only: ImportCommand.pairs(table))
            for s in live.skipped { printError("nftctl init: left out \(s); name it with --table to import it") }
            written = try InitTemplate.write(to: dir, files: [(InitTemplate.rulesFile, live.rules), (InitTemplate.testsFile, live.tests)])
            for n in live.notes { printError("nftctl init: cannot express \(n)") }
        } else {
            written = try InitTemplate.write(to: dir, kind: template ?? .server)
        }
        for path in written { print("wrote \(path)") }
        print("next: nftctl check \(dir) && nftctl test \(dir) \(dir)/\(InitTemplate.testsFile)")
    }
}
