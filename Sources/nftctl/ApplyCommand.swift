import ArgumentParser
import NFTCtlKit
import NFTables

struct ApplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Replace the tables FILE declares, atomically, and verify what the kernel holds.",
        discussion: """
            The declared tables are replaced in ONE libnftables call (one kernel transaction: on any \
            error nothing changes). Tables FILE does not declare are never named in the batch. After \
            the commit nftctl lists the kernel again and exits 1 with the difference if it does not \
            hold what was asked. Needs CAP_NET_ADMIN in the target namespace.
            """
    )

    @Argument(help: "A rules file: .swift, .json or .nft (or a directory of .swift files).")
    var file: String

    @OptionGroup var namespace: NetnsOption

    func run() throws {
        let input = try InputLoader.load(file)
        let backend = try namespace.backend()
        let report = try ApplyOperation.run(input, backend: backend)
        let names = report.tables.map { "\($0.family) \($0.name)" }.joined(separator: ", ")
        print("applied \(report.tables.count) table\(report.tables.count == 1 ? "" : "s") (\(names)) in one transaction; verified")
    }
}
