import Foundation
import NFTAnalysis

#if canImport(Glibc)
import Glibc
#endif

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
        let sandbox = try RulesSandbox(swiftc: swiftc)
        let cache = try RulesCache.prepare()
        let version = try compilerVersion(sandbox: sandbox, cache: cache)
        let lib = try buildLibrary(sandbox: sandbox, version: version, cache: cache)

        // The rules program: copies of the user's files (exactly what was hashed, readable
        // by the sandbox's user wherever the user keeps them) plus the generated main.
        var hasher = RulesHasher()
        hasher.combine(formatVersion)
        hasher.combine(lib.key)
        var contents: [(name: String, bytes: [UInt8])] = []
        var byName: [String: String] = [:]
        for f in files {
            let bytes = try InputLoader.readBytes(f)
            let name = (f as NSString).lastPathComponent
            if let other = byName[name] {
                throw Problem("a rules directory cannot hold two files named \(name) (also \(other))", file: f)
            }
            byName[name] = f
            contents.append((name, bytes))
            hasher.combine(name)
            hasher.combine(contents.last!.bytes)
        }
        let build = "\(cache)/rules-\(hasher.hex)"
        let binary = build + "/rules"
        if !(PrivatePath.isOwn(build, directory: true) && PrivatePath.isOwn(binary, directory: false)) {
            try? FileManager.default.removeItem(atPath: build)  // not ours alone: never run it
            Progress.say("compiling \(path) (\(files.count) file\(files.count == 1 ? "" : "s"); cached afterwards)")
            try compileRules(sandbox: sandbox, contents: contents, byName: byName, build: build, lib: lib.dir, cache: cache)
        }

        let run = try sandbox.run(
            "the rules program of \(path)", [RulesSandbox.programPath, "-fileno", "3"],
            mounts: [.readOnly(lib.dir, at: RulesSandbox.libPath), .readOnly(binary, at: RulesSandbox.programPath)],
            chdir: "/tmp", passVariables: true, fd3: true,
            deadline: try deadline("NFTCTL_RULES_TIMEOUT", 60), deadlineVariable: "NFTCTL_RULES_TIMEOUT",
            outputLimit: try outputLimit())
        relay(run.stdout, from: path)
        guard run.status == 0 else {
            throw Problem(
                "\(path): the rules program failed (exit status \(run.status))\(run.stdout.isEmpty ? "" : "; its messages are above")")
        }
        return try decodeOutput(run.fd3, path: path, byName: byName)
    }

    /// What a rules program printed (`print()`), shown to the user with every control
    /// character escaped: a rules file must not be able to drive the user's terminal.
    static func relay(_ bytes: [UInt8], from path: String) {
        guard !bytes.isEmpty else { return }
        let limit = 64 << 10
        var text = SafeText.escape(String(decoding: bytes.prefix(limit), as: UTF8.self), keepingLayout: true)
        if bytes.count > limit { text += "\n[… \(bytes.count - limit) more bytes not shown]" }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if text.hasSuffix("\n") { lines.removeLast() }
        for line in lines { FileHandle.standardError.write(Data("\(path): rules program: \(line)\n".utf8)) }
    }

    static func deadline(_ variable: String, _ value: Double) throws -> Double {
        try ChildProcess.deadline(variable, default: value)
    }

    /// The most a rules program may write (`NFTCTL_RULES_MAX_OUTPUT`, bytes; 512 MiB).
    static func outputLimit() throws -> Int {
        let v = "NFTCTL_RULES_MAX_OUTPUT"
        guard let text = Environment.value(v), !text.isEmpty else { return 512 << 20 }
        guard let n = Int(text), n > 0 else { throw Problem("\(v)=\(text.debugDescription) is not a number of bytes") }
        return n
    }

    /// The files of a rules path, as the user gave them: a file, or every `.swift` below a
    /// directory except its `Package.swift` and what hidden folders hold: a rules directory is
    /// also a SwiftPM package for editors (`nftctl init`), whose manifest, `.build/` and DSL
    /// link are not rules.
    static func userFiles(_ path: String) throws -> [String] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw Problem("no such file or directory", file: path)
        }
        guard isDir.boolValue else { return [path] }
        let base = path.hasSuffix("/") ? String(path.dropLast()) : path
        let files = RulesToolchain.swiftFiles(in: base)
            .filter { $0 != "Package.swift" && !$0.split(separator: "/").contains { $0.hasPrefix(".") } }
            .map { "\(base)/\($0)" }
        guard !files.isEmpty else { throw Problem("no .swift files in this directory", file: path) }
        return files
    }

    /// `swiftc --version`, remembered per compiler binary (its path and `FileIdentity`) so that a warm
    /// evaluation does not pay for starting the compiler.
    static func compilerVersion(sandbox: RulesSandbox, cache: String) throws -> String {
        let real = URL(fileURLWithPath: sandbox.swiftc).resolvingSymlinksInPath().path
        var h = RulesHasher()
        h.combine(real)
        if let identity = FileIdentity(path: real) { h.combine(identity.description) }
        let memo = "\(cache)/swiftc-\(h.hex).version"
        if let d = PrivatePath.read(memo), !d.isEmpty { return String(decoding: d, as: UTF8.self) }
        let r = try sandbox.run(
            "\(sandbox.swiftc) --version", [sandbox.swiftc, "--version"], mounts: [], chdir: "/tmp",
            deadline: try deadline("NFTCTL_COMPILE_TIMEOUT", 600), deadlineVariable: "NFTCTL_COMPILE_TIMEOUT")
        let text = String(decoding: r.stdout, as: UTF8.self)
        guard r.status == 0 else {
            throw Problem("\(sandbox.swiftc) --version failed:\n\(SafeText.escape(text, keepingLayout: true))")
        }
        _ = PrivatePath.write(Array(text.utf8), to: memo)
        return text
    }

    /// Builds `libNFTables.so` + its module once per (compiler, DSL sources).
    static func buildLibrary(sandbox: RulesSandbox, version: String, cache: String) throws -> (dir: String, key: String) {
        let sourcesDir = try RulesToolchain.dslSources()
        let rel = RulesToolchain.librarySources(in: sourcesDir)
        guard !rel.isEmpty else { throw Problem("no NFTables sources found", file: sourcesDir) }
        // Keyed by the name and `FileIdentity` of each source (reading and hashing them all on every
        // warm run would cost more than running the rules program).
        var hasher = RulesHasher()
        hasher.combine(version)
        for r in rel {
            guard let identity = FileIdentity(path: "\(sourcesDir)/\(r)") else {
                throw Problem("cannot be read", file: "\(sourcesDir)/\(r)")
            }
            hasher.combine("\(r) \(identity)")
        }
        hasher.combine("sandboxed-1")
        let key = hasher.hex
        let dir = "\(cache)/lib-\(key)"
        let products = ["libNFTables.so", "NFTables.swiftmodule"]
        if PrivatePath.isOwn(dir, directory: true), products.allSatisfy({ PrivatePath.isOwn("\(dir)/\($0)", directory: false) }) {
            return (dir, key)
        }
        try? FileManager.default.removeItem(atPath: dir)  // missing, partial or not ours alone: rebuild

        Progress.say("building the NFTables DSL library with \(sandbox.swiftc) (first build for this compiler and DSL, ~15 s)")
        let work = try sandbox.makeWorkDirectory(in: cache)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let b = RulesSandbox.buildPath
        var inside: [String] = []
        for r in rel {
            guard let d = FileManager.default.contents(atPath: "\(sourcesDir)/\(r)") else {
                throw Problem("cannot be read", file: "\(sourcesDir)/\(r)")
            }
            let name = r.replacingOccurrences(of: "/", with: "_")
            try RulesSandbox.writeSource([UInt8](d), to: "\(work)/src/\(name)")
            inside.append("\(b)/src/\(name)")
        }
        let args =
            [
                sandbox.swiftc, "-parse-as-library", "-emit-library", "-emit-module", "-module-name", "NFTables",
                "-swift-version", "6", "-module-cache-path", b + "/mc",
                "-emit-module-path", b + "/NFTables.swiftmodule",
                "-Xlinker", "-soname", "-Xlinker", "libNFTables.so",
                "-o", b + "/libNFTables.so"
            ] + inside
        let r = try sandbox.run(
            "building the NFTables DSL library with \(sandbox.swiftc)", args,
            mounts: [.writable(work, at: b)], chdir: b,
            deadline: try deadline("NFTCTL_COMPILE_TIMEOUT", 600), deadlineVariable: "NFTCTL_COMPILE_TIMEOUT")
        guard r.status == 0 else {
            throw Problem(
                """
                building the NFTables DSL library with \(sandbox.swiftc) failed (it needs Swift 6):
                \(SafeText.escape(String(decoding: r.stdout, as: UTF8.self), keepingLayout: true))
                """)
        }
        try install(products + ["mc"], from: work, to: dir, optional: ["mc"])
        return (dir, key)
    }

    /// Copies a sandbox's products into the cache (see `SafeCopy`) under a private name,
    /// then renames them into place (two nftctl runs may race; either result is good).
    static func install(_ items: [String], from work: String, to dir: String, optional: Set<String> = []) throws {
        let stage = "\(dir).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).stage"
        defer { try? FileManager.default.removeItem(atPath: stage) }
        let present = items.filter { !optional.contains($0) || FileManager.default.fileExists(atPath: "\(work)/\($0)") }
        try SafeCopy.copy(present, from: work, to: stage)
        if rename(stage, dir) != 0 {
            guard PrivatePath.isOwn(dir, directory: true) else {
                throw Problem("cannot move the build into \(dir): \(ChildProcess.errnoText())")
            }
        }
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

    static func compileRules(
        sandbox: RulesSandbox, contents: [(name: String, bytes: [UInt8])], byName: [String: String],
        build: String, lib: String, cache: String
    ) throws {
        let work = try sandbox.makeWorkDirectory(in: cache)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let b = RulesSandbox.buildPath, l = RulesSandbox.libPath
        for c in contents { try RulesSandbox.writeSource(c.bytes, to: "\(work)/src/\(c.name)") }
        try RulesSandbox.writeSource(Array(generatedMain.utf8), to: "\(work)/src/\(mainFile)")
        // The library's module cache is read-only in the sandbox: the compiler extends a
        // private copy of it in the sandbox's own /tmp.
        let compile =
            [
                sandbox.swiftc, "-parse-as-library", "-module-name", moduleName, "-swift-version", "5",
                "-module-cache-path", "/tmp/mc", "-I", l, "-L", l, "-lNFTables",
                "-Xlinker", "-rpath", "-Xlinker", l, "-o", b + "/rules"
            ]
            + contents.map { "\(b)/src/\($0.name)" } + ["\(b)/src/\(mainFile)"]
        let script = #"if [ -d "$1" ]; then cp -R "$1" /tmp/mc; fi; shift; exec "$@""#
        let r = try sandbox.run(
            "compiling the rules program", ["/bin/sh", "-c", script, "sh", l + "/mc"] + compile,
            mounts: [.readOnly(lib, at: l), .writable(work, at: b)], chdir: b,
            deadline: try deadline("NFTCTL_COMPILE_TIMEOUT", 600), deadlineVariable: "NFTCTL_COMPILE_TIMEOUT")
        guard r.status == 0 else {
            let text = String(decoding: r.stdout, as: UTF8.self)
            throw Problem(relaying: diagnostics(text, stage: b + "/src/", byName: byName))
        }
        try install(["rules"], from: work, to: build)
    }

    /// The compiler's diagnostics with the user's paths; a missing or mistyped `ruleset` is
    /// said in one sentence instead of pointing into the generated main.
    static func diagnostics(_ text: String, stage: String, byName: [String: String]) -> String {
        let files = byName.values.sorted().joined(separator: ", ")
        var out: [String] = []
        var skipping = false
        var missingRuleset = false
        var failed: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var l = String(line)
            if l.contains(mainFile) {
                if l.contains("error:") {
                    if l.contains("'ruleset'") || l.contains("Ruleset") {
                        missingRuleset = true
                    } else {
                        out.append("error: the rules program could not be built: " + l)
                    }
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
            if l.hasPrefix("error: compile command failed") || l.hasPrefix("error: emit-module command failed") {
                failed = failed ?? l
                continue
            }
            out.append(l)
        }
        // The compiler stopped without a word of its own (killed, most often for want of memory).
        if let failed, !out.contains(where: { $0.contains("error:") }) {
            out.append(
                "error: the Swift compiler stopped before it finished evaluating \(files): "
                    + failed.dropFirst("error: ".count)
                    + (failed.contains("signal 9") ? " (killed: most likely the machine ran out of memory)" : ""))
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
            throw Problem("the rules program wrote no valid output (\(error))", file: path)
        }
        guard let docJSON = json["document"], case .array(let locs)? = json["locations"] else {
            throw Problem("the rules program's output lacks \"document\" or \"locations\"", file: path)
        }
        let document: Document
        // What the DSL could not print (it has no printer) comes as markers: resolved here, once.
        do { document = try Document.decode(docJSON.resolvingDSLMarkers() ?? docJSON) } catch {
            throw Problem("the rules program's document is not libnftables JSON: \(error.message)", file: path)
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
