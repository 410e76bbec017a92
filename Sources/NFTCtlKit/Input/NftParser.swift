import Foundation
import NFTAnalysis

/// nft syntax, parsed by libnftables itself: the text is loaded into a throw-away
/// namespace (no root needed) and listed back as JSON. libnftables' errors name the line
/// in its own buffer name; they are rewritten to name the user's file, and filtered so they
/// never show the text of a file outside the rules file's directory (`NftErrorFilter`).
enum NftParser {
    /// An nft syntax file, checked first (`NftPrecheck`: size, token length, what it
    /// includes); returns its text too, for the source map.
    static func parse(file path: String) throws -> (document: Document, text: String) {
        // libnftables reads the file itself, so its errors carry the line (from a buffer
        // 1.0.6 only shows the buffer's first line) and `include` resolves as with `nft -f`.
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        let bytes = try NftPrecheck.check(file: absolute, display: path)
        guard let text = String(validating: bytes, as: UTF8.self) else { throw Problem("not UTF-8 text", file: path) }
        do {
            return (MergedIntervalSets.split(try Sandbox.loadAndList(file: absolute)), text)
        } catch let e as SandboxError {
            let safe = NftErrorFilter(rulesFile: absolute).filter(e.message)
            // The file loaded, but what it made cannot be listed back: nftctl's own words, about the file.
            if e.stage == .list { throw Problem(safe, file: path) }
            throw located(rewrite(safe.replacingOccurrences(of: absolute + ":", with: path + ":"), path: path), path: path)
        }
    }

    /// libnftables' report, located: when it starts `FILE:LINE:COLUMNS: error: MESSAGE`, the
    /// problem is MESSAGE at FILE:LINE, with the source and caret lines after it.
    static func located(_ report: String, path: String) -> Problem {
        let lines = report.split(separator: "\n", omittingEmptySubsequences: false)
        guard let first = lines.first, first.hasPrefix(path + ":"),
            let line = Int(first.dropFirst(path.count + 1).prefix(while: \.isNumber)),
            let marker = first.range(of: ": error: ")
        else { return Problem(relaying: report) }
        let message = ([String(first[marker.upperBound...])] + lines.dropFirst().map(String.init)).joined(separator: "\n")
        return Problem(message, file: path, line: line)
    }

    /// `<cmdline>:3:1-4: Error: ...` → `rules.nft:3:1-4: error: ...`
    static func rewrite(_ message: String, path: String) -> String {
        var out: [String] = []
        for line in message.split(separator: "\n", omittingEmptySubsequences: false) {
            var l = String(line)
            for name in ["<cmdline>", "/dev/stdin", "-"] where l.hasPrefix(name + ":") {
                l = path + l.dropFirst(name.count)
                break
            }
            l = l.replacingOccurrences(of: ": Error: ", with: ": error: ")
            out.append(l)
        }
        while out.last?.isEmpty == true { out.removeLast() }
        return out.joined(separator: "\n")
    }
}
