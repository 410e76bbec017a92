import ArgumentParser
import Foundation
import NFTCtlKit
import NFTables

/// `--netns NAME`: work in a named network namespace (`ip netns`) instead of this one.
struct NetnsOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Work in the named network namespace (from `ip netns list`).", valueName: "NAME"))
    var netns: String?

    func backend() throws -> Backend { try LibNFTablesBackend(netns: netns) }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case nft, json
}

/// Writes to a file or standard output.
func emit(_ text: String, to path: String?) throws {
    let body = text.hasSuffix("\n") ? text : text + "\n"
    if let path {
        do { try body.write(toFile: path, atomically: true, encoding: .utf8) } catch {
            throw InputError("\(path): cannot write: \(error.localizedDescription)")
        }
    } else {
        FileHandle.standardOutput.write(Data(body.utf8))
    }
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
}
