#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What a compiled rules program does: lower the `ruleset` and write it, with its source map,
/// to the file descriptor given by `-fileno N` (as SwiftPM does for Package.swift), so that
/// `print()` in a rules file never mixes with the output.
///
/// Output: `{"document": {"nftables": [...]}, "locations": [{"file": "Rules/x.swift", "line": 3}, null, ...]}`.
public enum RulesProgram {
    public static func output(_ ruleset: Ruleset) -> JSON {
        let (doc, locs) = ruleset.compile()
        let l: [JSON] = locs.map { loc in
            guard let loc else { return .null }
            return ["file": .string(loc.file), "line": .int(Int64(loc.line))]
        }
        return ["document": doc.json, "locations": .array(l)]
    }

    /// The entry point of the generated `main`: writes the output and exits.
    public static func main(_ ruleset: Ruleset) {
        let args = CommandLine.arguments
        var fd: Int32 = 1
        if let i = args.firstIndex(of: "-fileno"), i + 1 < args.count, let n = Int32(args[i + 1]) { fd = n }
        var text = output(ruleset).serialized()
        text += "\n"
        let ok = text.utf8CString.withUnsafeBufferPointer { buf -> Bool in
            var off = 0
            let total = buf.count - 1
            while off < total {
                let n = write(fd, buf.baseAddress! + off, total - off)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                off += n
            }
            return true
        }
        exit(ok ? 0 : 3)
    }
}
