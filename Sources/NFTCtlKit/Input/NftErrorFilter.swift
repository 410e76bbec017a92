import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// libnftables' error text, made safe to print. Each error is a location line
/// (`FILE:LINE:COL-COL: Error: MESSAGE`) followed by the offending source line and a caret
/// line. For a file outside the directory of the rules file (an `include "/etc/shadow"`,
/// a glob, a `../` path, a symlink leading out) the source line and caret are dropped and the
/// message is kept only when it cannot carry the file's text (bison's `syntax error, ...`
/// with token names, `Could not process rule: <errno>`); anything else is withheld. Source
/// lines that are kept are cut to a window around the caret, so a 4 MiB line is not printed.
struct NftErrorFilter {
    /// The canonical directory of the rules file; files under it are the user's own.
    let directory: String
    static let window = 160

    init(rulesFile: String) {
        let dir = URL(fileURLWithPath: rulesFile).deletingLastPathComponent().path
        directory = NftErrorFilter.canonical(dir) ?? dir
    }

    static func canonical(_ path: String) -> String? {
        guard let r = realpath(path, nil) else { return nil }
        defer { free(r) }
        return String(cString: r)
    }

    /// Whether errors located in `file` may show its text. Names that are not files
    /// (`<cmdline>`, `internal`) are nftctl's own buffers.
    func isInside(_ file: String) -> Bool {
        if !file.contains("/") && !FileManager.default.fileExists(atPath: file) { return true }
        guard let real = NftErrorFilter.canonical(file) else { return false }
        return real.hasPrefix(directory == "/" ? "/" : directory + "/")
    }

    /// `FILE:LINE:COL[-COL]: Error|Warning: MESSAGE` → (FILE, COL, text after FILE:LINE:COL..: , MESSAGE)
    static func location(_ line: Substring) -> (file: String, column: Int, head: Substring, message: Substring)? {
        guard let r = line.range(of: #":[0-9]+:[0-9]+(-[0-9]+)?: (Error|error|Warning|warning): "#, options: .regularExpression) else {
            return nil
        }
        let file = String(line[..<r.lowerBound])
        let parts = line[r].split(separator: ":")
        let column = Int(parts.count > 1 ? parts[1].split(separator: "-")[0] : "") ?? 1
        return (file, column, line[..<r.upperBound], line[r.upperBound...])
    }

    /// Messages that never carry the source's text.
    static func isContentFree(_ message: Substring) -> Bool {
        if message.hasPrefix("syntax error,") {
            // Token names only; quoted parts are single punctuation characters ('}').
            return message.range(of: #"'[^']{2,}'|"|[0-9]"#, options: .regularExpression) == nil
        }
        if message.hasPrefix("Could not process rule: ") {
            return message.dropFirst("Could not process rule: ".count).allSatisfy { $0.isLetter || $0 == " " }
        }
        return false
    }

    func filter(_ text: String) -> String {
        var out: [String] = []
        var inside = true, column = 1, echoed = 0, start = 0, caretLost = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("In file included from ") {
                out.append(String(line)); inside = true; continue
            }
            if let loc = NftErrorFilter.location(line) {
                inside = isInside(loc.file)
                column = loc.column
                echoed = 0
                if inside || NftErrorFilter.isContentFree(loc.message) {
                    out.append(String(line))
                } else {
                    out.append(
                        loc.head + "(message withheld: \(loc.file) is or leads outside \(directory), the directory of the rules file)")
                }
                continue
            }
            guard inside else { continue }  // the echoed source line and caret of an outside file
            let isCaret = echoed > 0 && line.allSatisfy { $0 == " " || $0 == "^" || $0 == "~" || $0 == "\t" }
            if echoed == 0 {
                // The source line (libnftables cuts long ones short, so the column may lie beyond it).
                let count = line.count, w = NftErrorFilter.window
                caretLost = column - 1 >= count && count > w
                start = count <= w || caretLost ? 0 : max(0, min(column - 1 - w / 2, count - w))
            }
            echoed += 1
            if isCaret && caretLost { continue }
            out.append(clip(line, from: start, isCaret: isCaret))
        }
        return out.joined(separator: "\n")
    }

    /// `window` characters of the line from `start` (the caret line is clipped the same way, so it still points).
    func clip(_ line: Substring, from start: Int, isCaret: Bool) -> String {
        guard line.count > NftErrorFilter.window else { return String(line) }
        let body = line.dropFirst(start).prefix(NftErrorFilter.window)
        let head = start > 0 ? (isCaret ? "   " : "...") : ""
        let tail = !isCaret && start + body.count < line.count ? "..." : ""
        return head + body + tail
    }
}
