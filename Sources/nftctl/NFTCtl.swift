import ArgumentParser
import NFTCtlKit

/// The root command. Exit codes: 0 success, 1 error, 2 usage error.
struct NFTCtl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nftctl",
        abstract: "Compile, check, diff, apply, explain and list nftables rulesets written in Swift, JSON or nft syntax.",
        discussion: """
            FILE is a rules file: .swift (or a directory of them; the Swift DSL), .json (libnftables \
            JSON: a command batch or a `nft -j list ruleset` listing) or .nft (nft syntax).
            nftctl only ever touches the tables FILE declares.
            """,
        version: "nftctl \(NFTCtlVersion.number)",
        subcommands: [
            CompileCommand.self, CheckCommand.self, DiffCommand.self, ApplyCommand.self, ListCommand.self, ExplainCommand.self,
            ImportCommand.self, TraceCommand.self, TestCommand.self, ConfirmCommand.self, RollbackCommand.self,
            RestoreCommand.self, StatusCommand.self, InitCommand.self, SandboxCommand.self,
            RollbackTimerCommand.self
        ]
    )
}
