import ArgumentParser
import Foundation
import NFTCtlKit

/// `nftctl __sandbox`: the child side of `Sandbox.run`, started by nftctl itself inside a
/// fresh network namespace (`unshare`). Reads a request on stdin, writes the answer on
/// stdout. Hidden: not for people to run (it refuses outside a fresh namespace anyway).
struct SandboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "__sandbox", shouldDisplay: false)

    func run() throws {
        Sandbox.dieWithParent()
        let input = FileHandle.standardInput.readDataToEndOfFile()
        FileHandle.standardOutput.write(Data(Sandbox.serve(stdin: [UInt8](input)).utf8))
    }
}
