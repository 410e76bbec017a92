import Foundation
import NFTAnalysis

/// The user's Swift compiler and the DSL sources it builds the `NFTables` library from.
enum RulesToolchain {
    static func which(_ name: String) -> String? {
        let path = Environment.value("PATH") ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":") + ["/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/bin", "/bin"] {
            let p = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    /// `$SWIFTC`, then `swiftc` on PATH, then the usual install places.
    static func swiftc() throws -> String {
        if let s = Environment.value("SWIFTC"), !s.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: s) else { throw Problem("SWIFTC=\(s) is not an executable") }
            return s
        }
        if let s = which("swiftc") { return s }
        for p in ["/opt/swift/usr/bin/swiftc", "/usr/share/swift/usr/bin/swiftc", "/usr/local/swift/usr/bin/swiftc"]
        where FileManager.default.isExecutableFile(atPath: p) {
            return p
        }
        throw Problem(
            """
            a Swift toolchain is needed to evaluate .swift rules files, and swiftc was not found \
            (not on PATH, not in /opt/swift/usr/bin); install Swift 6 from swift.org or set SWIFTC=/path/to/swiftc
            """)
    }

    /// The source folders of the library rules files link against, compiled as ONE module
    /// named `NFTables` (one compiler run): the model, then the DSL. Not the printer or the
    /// analyses (`NFTAnalysis`): rules programs only build a document.
    static let libraryModules = ["NFTModel", "NFTables"]
    /// The DSL's re-export of the model, left out: here the model is in the same module.
    static let modelReexport = "NFTables/ModelExport.swift"

    /// The directory holding the library's source folders (`NFTModel/`, `NFTables/`):
    /// `$NFTCTL_DSL_SOURCES`, the source tree above the executable (`.build/debug/nftctl`,
    /// `swift run`, test bundles), or the installed copy at `PREFIX/share/nftctl`.
    static func dslSources() throws -> String {
        let fm = FileManager.default
        func isDSL(_ d: String) -> Bool {
            fm.fileExists(atPath: d + "/NFTables/DSL/DSLRuleset.swift") && fm.fileExists(atPath: d + "/NFTModel/Model")
        }
        if let s = Environment.value("NFTCTL_DSL_SOURCES"), !s.isEmpty {
            if isDSL(s) { return s }
            // The NFTables folder itself, as this variable used to name.
            let parent = URL(fileURLWithPath: s).deletingLastPathComponent().path
            guard isDSL(parent) else {
                throw Problem("NFTCTL_DSL_SOURCES=\(s) does not hold the library sources (NFTModel/ and NFTables/DSL/)")
            }
            return parent
        }
        let exe = (try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        for _ in 0..<10 {
            for candidate in [dir.path + "/Sources", dir.path + "/share/nftctl"] where isDSL(candidate) {
                return candidate
            }
            let up = dir.deletingLastPathComponent()
            if up.path == dir.path { break }
            dir = up
        }
        throw Problem(
            """
            the NFTables DSL sources were not found (looked above \(exe) for Sources/NFTables and \
            share/nftctl/NFTables); reinstall nftctl (make install) or set NFTCTL_DSL_SOURCES
            """)
    }

    /// The library's sources below `root`, sorted, as paths relative to it.
    static func librarySources(in root: String) -> [String] {
        libraryModules.flatMap { m in swiftFiles(in: "\(root)/\(m)").map { "\(m)/\($0)" } }.filter { $0 != modelReexport }
    }

    /// Every `.swift` file below `dir`, sorted, as paths relative to it.
    static func swiftFiles(in dir: String) -> [String] {
        let real = URL(fileURLWithPath: dir).resolvingSymlinksInPath().path
        guard let e = FileManager.default.enumerator(atPath: real) else { return [] }
        var out: [String] = []
        while let f = e.nextObject() as? String {
            if f.hasSuffix(".swift") { out.append(f) }
        }
        return out.sorted()
    }
}
