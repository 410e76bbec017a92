import Foundation
import NFTables
#if canImport(Glibc)
import Glibc
#endif

/// A rules-loader failure, phrased for the user: compiler diagnostics with the user's own
/// paths, or what is missing and how to fix it.
public struct RulesError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// What a rules program produced.
public struct LoadedRules: Sendable {
    public var document: Document
    /// One per document entry: the user's `file:line` (the path as given on the command line).
    public var locations: [SourceLocation?]
    public init(document: Document, locations: [SourceLocation?]) { self.document = document; self.locations = locations }
}

/// Evaluates rules files the way SwiftPM evaluates `Package.swift`: the DSL library is built
/// once per compiler with the user's swiftc, the rules program is compiled against it (cached
/// by a hash of its inputs) and run on every call; it writes its JSON on `-fileno 3`.
///
/// Convention: a rules file (or one file of a rules directory) defines a global
/// `let ruleset = Ruleset { ... }`.
public enum RulesLoader {
    /// The module name of rules programs: `#fileID` in rules reads `Rules/<file>.swift`.
    static let moduleName = "Rules"
    static let mainFile = "_nftctl_main.swift"
    /// Bump when the generated main or the output format changes.
    static let formatVersion = "2"

    public static func load(_ path: String) throws -> LoadedRules {
        let files = try userFiles(path)
        let swiftc = try RulesToolchain.swiftc()
        let identity = try RulesIdentity.current()
        let cache = RulesCache.directory()
        try identity.makeDirectory(cache, writable: false)
        try identity.checkReachable(cache)
        try identity.makeDirectory(cache + "/tmp")
        var env = ProcessInfo.processInfo.environment
        env["TMPDIR"] = cache + "/tmp"
        if identity.dropsPrivileges { env["HOME"] = cache + "/tmp" }

        let version = try compilerVersion(swiftc, identity: identity, env: env, cache: cache)
        let lib = try buildLibrary(swiftc: swiftc, version: version, cache: cache, identity: identity, env: env)

        // The rules program: copies of the user's files (readable by the unprivileged user,
        // and exactly what was hashed) plus the generated main.
        var hasher = RulesHasher()
        hasher.combine(formatVersion)
        hasher.combine(lib.key)
        var contents: [(name: String, bytes: [UInt8])] = []
        var byName: [String: String] = [:]
        for f in files {
            guard let data = FileManager.default.contents(atPath: f) else { throw RulesError("\(f): cannot be read") }
            let name = (f as NSString).lastPathComponent
            if let other = byName[name] {
                throw RulesError("\(f): a rules directory cannot hold two files named \(name) (also \(other))")
            }
            byName[name] = f
            contents.append((name, [UInt8](data)))
            hasher.combine(name)
            hasher.combine(contents.last!.bytes)
        }
        let build = "\(cache)/rules-\(hasher.hex)"
        let binary = build + "/rules"
        if FileManager.default.fileExists(atPath: build), !identity.trusted(build, binary) {
            try? FileManager.default.removeItem(atPath: build)  // not sealed by root: never run it
        }
        if !FileManager.default.isExecutableFile(atPath: binary) {
            try compileRules(contents: contents, byName: byName, build: build, lib: lib.dir, swiftc: swiftc,
                             identity: identity, env: env)
        }

        let run = try RulesSubprocess.run(try identity.wrap([binary, "-fileno", "3"]), environment: env, capture: .fd3)
        guard run.status == 0 else {
            throw RulesError("\(path): the rules program failed (exit status \(run.status)); its messages are above")
        }
        return try decodeOutput(run.output, path: path, byName: byName)
    }

    /// The files of a rules path, as the user gave them: a file, or every `.swift` below a directory.
    static func userFiles(_ path: String) throws -> [String] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw RulesError("\(path): no such file or directory")
        }
        guard isDir.boolValue else { return [path] }
        let base = path.hasSuffix("/") ? String(path.dropLast()) : path
        let files = RulesToolchain.swiftFiles(in: base).map { "\(base)/\($0)" }
        guard !files.isEmpty else { throw RulesError("\(path): no .swift files in this directory") }
        return files
    }

    /// `swiftc --version`, remembered per compiler binary (path, size, mtime) so that a warm
    /// evaluation does not pay for starting the compiler.
    static func compilerVersion(_ swiftc: String, identity: RulesIdentity, env: [String: String],
                                cache: String) throws -> String {
        let real = URL(fileURLWithPath: swiftc).resolvingSymlinksInPath().path
        var st = stat()
        var h = RulesHasher()
        h.combine(real)
        if stat(real, &st) == 0 {
            h.combine("\(st.st_size) \(st.st_mtim.tv_sec) \(st.st_mtim.tv_nsec) \(st.st_ino)")
        }
        let memo = "\(cache)/swiftc-\(h.hex).version"
        if let d = FileManager.default.contents(atPath: memo), !d.isEmpty { return String(decoding: d, as: UTF8.self) }
        let r = try RulesSubprocess.run([swiftc, "--version"], environment: env, capture: .combinedOutput)
        let text = String(decoding: r.output, as: UTF8.self)
        guard r.status == 0 else { throw RulesError("\(swiftc) --version failed:\n\(text)") }
        try? identity.write(Array(text.utf8), to: memo)
        return text
    }

    /// Builds `libNFTables.so` + its module once per (compiler, DSL sources).
    static func buildLibrary(swiftc: String, version: String, cache: String, identity: RulesIdentity,
                             env: [String: String]) throws -> (dir: String, key: String) {
        let sourcesDir = try RulesToolchain.dslSources()
        let rel = RulesToolchain.swiftFiles(in: sourcesDir)
        guard !rel.isEmpty else { throw RulesError("\(sourcesDir): no NFTables sources found") }
        // Keyed by name, size and mtime of each source (reading and hashing them all on every
        // warm run would cost more than running the rules program).
        var hasher = RulesHasher()
        hasher.combine(version)
        for r in rel {
            var st = stat()
            guard stat("\(sourcesDir)/\(r)", &st) == 0 else { throw RulesError("\(sourcesDir)/\(r): cannot be read") }
            hasher.combine("\(r) \(st.st_size) \(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)")
        }
        hasher.combine("sealed-1")
        let key = hasher.hex
        let dir = "\(cache)/lib-\(key)"
        if FileManager.default.fileExists(atPath: dir + "/libNFTables.so") {
            if identity.trusted(dir, dir + "/libNFTables.so", dir + "/NFTables.swiftmodule") { return (dir, key) }
            try? FileManager.default.removeItem(atPath: dir)  // not sealed by root: rebuild
        }
        var sources: [(String, [UInt8])] = []
        for r in rel {
            guard let d = FileManager.default.contents(atPath: "\(sourcesDir)/\(r)") else {
                throw RulesError("\(sourcesDir)/\(r): cannot be read")
            }
            sources.append((r.replacingOccurrences(of: "/", with: "_"), [UInt8](d)))
        }

        // Build in a private directory, then rename into place (two nftctl runs may race).
        let stage = "\(cache)/lib-\(key).\(getpid()).\(UInt32.random(in: 0...UInt32.max))"
        try? FileManager.default.removeItem(atPath: stage)
        try identity.makeDirectory(stage)
        try identity.makeDirectory(stage + "/src")
        try identity.makeDirectory(stage + "/mc")
        for (name, bytes) in sources { try identity.write(bytes, to: "\(stage)/src/\(name)") }
        let args = [swiftc, "-parse-as-library", "-emit-library", "-emit-module", "-module-name", "NFTables",
                    "-swift-version", "6", "-module-cache-path", stage + "/mc",
                    "-emit-module-path", stage + "/NFTables.swiftmodule",
                    "-Xlinker", "-soname", "-Xlinker", "libNFTables.so",
                    "-o", stage + "/libNFTables.so"] + sources.map { "\(stage)/src/\($0.0)" }
        let r = try RulesSubprocess.run(try identity.wrap(args), environment: env, capture: .combinedOutput)
        guard r.status == 0 else {
            try? FileManager.default.removeItem(atPath: stage)
            throw RulesError("""
                building the NFTables DSL library with \(swiftc) failed (it needs Swift 6):
                \(String(decoding: r.output, as: UTF8.self))
                """)
        }
        identity.seal(stage)
        if rename(stage, dir) != 0 {
            try? FileManager.default.removeItem(atPath: stage)
            guard FileManager.default.fileExists(atPath: dir + "/libNFTables.so") else {
                throw RulesError("cannot move the DSL library into \(dir): \(String(cString: strerror(errno)))")
            }
        }
        return (dir, key)
    }

    static let generatedMain = """
        import NFTables

        @main
        enum NFTCtlRulesMain {
            static func main() {
                NFTables.RulesProgram.main(ruleset)
            }
        }

        """

    static func compileRules(contents: [(name: String, bytes: [UInt8])], byName: [String: String], build: String,
                             lib: String, swiftc: String, identity: RulesIdentity, env: [String: String]) throws {
        let stage = "\(build).\(getpid()).\(UInt32.random(in: 0...UInt32.max))"
        try? FileManager.default.removeItem(atPath: stage)
        try identity.makeDirectory(stage)
        try identity.makeDirectory(stage + "/src")
        for c in contents { try identity.write(c.bytes, to: "\(stage)/src/\(c.name)") }
        try identity.write(Array(generatedMain.utf8), to: "\(stage)/src/\(mainFile)")
        // A private copy of the library's module cache (the sealed one is read-only to the
        // compiler's user, and a shared writable one could be tampered with).
        if FileManager.default.fileExists(atPath: lib + "/mc") {
            try? FileManager.default.copyItem(atPath: lib + "/mc", toPath: stage + "/mc")
            identity.own(stage + "/mc")
        } else {
            try identity.makeDirectory(stage + "/mc")
        }
        let args = [swiftc, "-parse-as-library", "-module-name", moduleName, "-swift-version", "5",
                    "-module-cache-path", stage + "/mc", "-I", lib, "-L", lib, "-lNFTables",
                    "-Xlinker", "-rpath", "-Xlinker", lib, "-o", stage + "/rules"]
            + contents.map { "\(stage)/src/\($0.name)" } + ["\(stage)/src/\(mainFile)"]
        let r = try RulesSubprocess.run(try identity.wrap(args), environment: env, capture: .combinedOutput)
        guard r.status == 0 else {
            let text = String(decoding: r.output, as: UTF8.self)
            try? FileManager.default.removeItem(atPath: stage)
            throw RulesError(diagnostics(text, stage: stage + "/src/", byName: byName))
        }
        try? FileManager.default.removeItem(atPath: stage + "/mc")
        identity.seal(stage)
        try? FileManager.default.removeItem(atPath: build)
        if rename(stage, build) != 0 {
            try? FileManager.default.removeItem(atPath: stage)
            guard FileManager.default.isExecutableFile(atPath: build + "/rules") else {
                throw RulesError("cannot move the rules program into \(build): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// The compiler's diagnostics with the user's paths; a missing or mistyped `ruleset` is
    /// said in one sentence instead of pointing into the generated main.
    static func diagnostics(_ text: String, stage: String, byName: [String: String]) -> String {
        let files = byName.values.sorted().joined(separator: ", ")
        var out: [String] = []
        var skipping = false
        var missingRuleset = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var l = String(line)
            if l.contains(mainFile) {
                if l.contains("error:") {
                    if l.contains("'ruleset'") || l.contains("Ruleset") { missingRuleset = true }
                    else { out.append("error: the rules program could not be built: " + l) }
                }
                skipping = true
                continue
            }
            // A new diagnostic (path:line:col: or "error:") ends the skipped block.
            if skipping {
                if l.hasPrefix(stage) || l.hasPrefix("error:") || l.hasPrefix("warning:") { skipping = false } else { continue }
            }
            for (name, user) in byName { l = l.replacingOccurrences(of: stage + name, with: user) }
            l = l.replacingOccurrences(of: stage, with: "")
            if l.hasPrefix("error: compile command failed") || l.hasPrefix("error: emit-module command failed") { continue }
            out.append(l)
        }
        if missingRuleset {
            let msg = """
                error: \(files) must define the ruleset as a global: let ruleset = Ruleset { table(...) { ... } }
                """
            out.insert(msg, at: 0)
        }
        while let last = out.last, last.trimmingCharacters(in: .whitespaces).isEmpty { out.removeLast() }
        return out.joined(separator: "\n")
    }

    static func decodeOutput(_ bytes: [UInt8], path: String, byName: [String: String]) throws -> LoadedRules {
        let text = String(decoding: bytes, as: UTF8.self)
        let json: JSON
        do { json = try JSON.parse(text) } catch {
            throw RulesError("\(path): the rules program wrote no valid output (\(error))")
        }
        guard let docJSON = json["document"], case .array(let locs)? = json["locations"] else {
            throw RulesError("\(path): the rules program's output lacks \"document\" or \"locations\"")
        }
        let document: Document
        do { document = try Document.decode(docJSON) } catch {
            throw RulesError("\(path): the rules program's document is not libnftables JSON: \(error.message)")
        }
        let locations: [SourceLocation?] = locs.map { l in
            guard let file = l["file"]?.stringValue, let line = l["line"]?.intValue else { return nil }
            return SourceLocation(file: userPath(file, byName: byName), line: Int(line))
        }
        return LoadedRules(document: document, locations: locations)
    }

    /// `Rules/x.swift` (a `#fileID`) → the path the user gave for x.swift.
    static func userPath(_ fileID: String, byName: [String: String]) -> String {
        let name = fileID.split(separator: "/").last.map(String.init) ?? fileID
        return byName[name] ?? fileID
    }
}
