import ArgumentParser
import NFTAnalysis
import NFTCtlKit

struct CompileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Print the one canonical libnftables JSON batch that creates exactly the tables FILE declares.",
        discussion: """
            Validates first; nothing is printed for a ruleset with errors. Needs no root. One \
            command per line: a diff of two compiled files shows each changed command as one line.
            """
    )

    @Argument(help: "A rules file: .swift, .json or .nft (or a directory of .swift files).")
    var file: String

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the batch to OUT instead of standard output.", valueName: "OUT"))
    var output: String?

    func run() throws {
        let input = try InputLoader.load(file)
        let batch = try CompileOperation.run(input)
        try emit(batch.json.serialized(.lines), to: output)
    }
}
