import NFTAnalysis
import NFTables

/// A small indenting writer for generated Swift source.
struct SourceWriter {
    private(set) var text = ""
    private var depth = 0
    let indentUnit = "    "

    mutating func line(_ s: String = "") {
        if s.isEmpty { text += "\n"; return }
        text += String(repeating: indentUnit, count: depth) + s + "\n"
    }

    /// `head {`, the body one level deeper, then `}` (plus `tail`).
    mutating func block(_ head: String, tail: String = "", _ body: (inout SourceWriter) -> Void) {
        line(head + " {")
        depth += 1
        body(&self)
        depth -= 1
        line("}" + tail)
    }

    /// A comment, one `//` line per line of text. Names in it are escaped (`SafeText`): a CR
    /// ends a Swift comment too, and would turn the rest of a name into code.
    mutating func comment(_ s: String) {
        for l in s.split(separator: "\n", omittingEmptySubsequences: false) { line(l.isEmpty ? "//" : "// " + SafeText.escape(String(l))) }
    }
}

extension SourceWriter {
    mutating func append(raw s: String) { text += s }
    mutating func indented(_ body: (inout SourceWriter) -> Void) {
        depth += 1
        body(&self)
        depth -= 1
    }
}
