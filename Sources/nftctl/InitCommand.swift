import ArgumentParser
import NFTCtlKit

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Start a rules directory: an example firewall in the Swift DSL and its packet tests.",
        discussion: """
            Writes DIR/firewall.swift (a server: SSH from an admin set, HTTP and HTTPS open, the \
            rest dropped; commented) and DIR/firewall.tests (assertions for `nftctl test`). Both pass \
            `nftctl check` and `nftctl test` as written. Refuses to overwrite: if either file exists, \
            nothing is written. Needs no root.
            """
    )

    @Argument(help: "The directory to create or fill.")
    var dir: String = "rules"

    func run() throws {
        for path in try InitTemplate.write(to: dir) { print("wrote \(path)") }
        print("next: nftctl check \(dir) && nftctl test \(dir) \(dir)/\(InitTemplate.testsFile)")
    }
}
