import Foundation

/// The user's Swift compiler and the DSL sources it builds the `NFTables` library from.
enum RulesToolchain {
    static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":") + ["/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/bin", "/bin"] {
            let p = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    /// `$SWIFTC`, then `swiftc` on PATH, then the usual install places.
    static func swiftc() throws -> String {
        let env = ProcessInfo.processInfo.environment
        if let s = env["SWIFTC"], !s.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: s) else { throw RulesError("SWIFTC=\(s) is not an executable") }
            return s
        }
        if let s = which("swiftc") { return s }
        for p in ["/opt/swift/usr/bin/swiftc", "/usr/share/swift/usr/bin/swiftc", "/usr/local/swift/usr/bin/swiftc"]
        where FileManager.default.isExecutableFile(atPath: p) {
            return p
        }
        throw RulesError("""
            a Swift toolchain is needed to evaluate .swift rules files, and swiftc was not found \
            (not on PATH, not in /opt/swift/usr/bin); install Swift 6 from swift.org or set SWIFTC=/path/to/swiftc
            """)
    }

    /// The directory holding the DSL library sources (`NFTables/**/*.swift`): `$NFTCTL_DSL_SOURCES`,
    /// the source tree above the executable (`.build/debug/nftctl`, `swift run`, test bundles),
    /// or the installed copy at `PREFIX/share/nftctl/NFTables`.
    static func dslSources() throws -> String {
        let fm = FileManager.default
        func isDSL(_ d: String) -> Bool { fm.fileExists(atPath: d + "/DSL/DSLRuleset.swift") }
        if let s = ProcessInfo.processInfo.environment["NFTCTL_DSL_SOURCES"], !s.isEmpty {
            guard isDSL(s) else { throw RulesError("NFTCTL_DSL_SOURCES=\(s) does not hold the NFTables sources (DSL/DSLRuleset.swift)") }
            return s
        }
        let exe = (try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        for _ in 0..<10 {
            for candidate in [dir.path + "/Sources/NFTables", dir.path + "/share/nftctl/NFTables"] where isDSL(candidate) {
                return candidate
            }
            let up = dir.deletingLastPathComponent()
            if up.path == dir.path { break }
            dir = up
        }
        throw RulesError("""
            the NFTables DSL sources were not found (looked above \(exe) for Sources/NFTables and \
            share/nftctl/NFTables); reinstall nftctl (make install) or set NFTCTL_DSL_SOURCES
            """)
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
