import Foundation
import NFTAnalysis

/// One line on stderr before something slow (the first build of the DSL library, compiling
/// a rules file, the phases of a large apply), so a 15-second silence is explained. Only on a terminal: scripts and CI
/// logs keep a quiet stderr. NFTCTL_PROGRESS=1 forces it, 0 silences it.
enum Progress {
    static var enabled: Bool {
        switch Environment.value("NFTCTL_PROGRESS") {
        case "1"?: return true
        case "0"?: return false
        default: return isatty(STDERR_FILENO) == 1
        }
    }

    /// Rules in an apply from which its phases start to take about a second each.
    static let largeRuleset = 2000

    /// `text` comes partly from the user (a path): control characters are escaped.
    static func say(_ text: String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data("nftctl: \(SafeText.escape(text))…\n".utf8))
    }
}
