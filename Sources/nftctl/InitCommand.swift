import ArgumentParser
import NFTCtlKit

extension InitTemplate.Kind: ExpressibleByArgument {}

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Start a rules directory: an example firewall in the Swift DSL and its packet tests.",
        discussion: """
            Writes DIR/firewall.swift and DIR/firewall.tests (assertions for `nftctl test`), for \
            the kind of host --template names (commented; edit to taste):
              server          SSH from an admin set, HTTP and HTTPS open, nothing forwarded
              router          LAN to uplink forwarded and masqueraded; SSH, DNS, DHCP from the LAN
              load-balancer   HAProxy frontends on 80/443; the host may reach only its backends
              container-host  filters input only: Docker's own tables are left alone
            Both files pass `nftctl check` and `nftctl test` as written. Refuses to overwrite: \
            if either file exists, nothing is written. Needs no root.
            """
    )

    @Argument(help: "The directory to create or fill.")
    var dir: String = "rules"

    @Option(help: "The kind of host: \(InitTemplate.Kind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var template: InitTemplate.Kind = .server

    func run() throws {
        for path in try InitTemplate.write(to: dir, kind: template) { print("wrote \(path)") }
        print("next: nftctl check \(dir) && nftctl test \(dir) \(dir)/\(InitTemplate.testsFile)")
    }
}
