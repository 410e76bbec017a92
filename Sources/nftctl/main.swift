import ArgumentParser
import Foundation
import NFTAnalysis
import NFTCtlKit

// Runs the CLI with nftctl's exit codes: usage errors exit 2 (ArgumentParser uses 64),
// everything else that fails exits 1 with one clear message.
ProcessLifetime.keepUntilExit()
do {
    var command = try NFTCtl.parseAsRoot()
    try command.run()
} catch {
    // nftctl's own errors: their diagnostics (escaped where rendered), exit 1.
    if let report = ErrorOutput.report(error) {
        printError(report)
        exit(1)
    }
    let code = NFTCtl.exitCode(for: error)
    // Error messages quote names and lines of the user's file: escape control characters.
    let message = SafeText.escape(NFTCtl.fullMessage(for: error), keepingLayout: true)
    if code == .success {
        if !message.isEmpty { print(message) }
        exit(0)
    }
    if !message.isEmpty {
        FileHandle.standardError.write(Data((message.hasSuffix("\n") ? message : message + "\n").utf8))
    }
    exit(code.rawValue == 64 ? 2 : (code == .failure ? 1 : code.rawValue))
}
