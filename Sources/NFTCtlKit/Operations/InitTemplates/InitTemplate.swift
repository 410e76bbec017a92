import Foundation
import NFTAnalysis

/// `nftctl init DIR`: a rules directory to start from, a firewall for one kind of host
/// (`Kind`) with comments that say how nftctl reads it, and a packet-tests file that
/// `nftctl test` passes. Nothing existing is overwritten: every file is created with O_EXCL,
/// and if one is already there the command stops before writing any.
public enum InitTemplate {
    public static let rulesFile = "firewall.swift"
    public static let testsFile = "firewall.tests"

    /// The kinds of host a template is written for (`--template`).
    public enum Kind: String, CaseIterable, Sendable {
        case server, router, loadBalancer = "load-balancer", containerHost = "container-host"

        /// The rules file's text and the tests file's text.
        var files: (rules: String, tests: String) {
            switch self {
            case .server: (ServerTemplate.rules, ServerTemplate.tests)
            case .router: (RouterTemplate.rules, RouterTemplate.tests)
            case .loadBalancer: (LoadBalancerTemplate.rules, LoadBalancerTemplate.tests)
            case .containerHost: (ContainerHostTemplate.rules, ContainerHostTemplate.tests)
            }
        }
    }

    public static func write(to dir: String, kind: Kind = .server) throws -> [String] {
        try write(to: dir, files: [(rulesFile, kind.files.rules), (testsFile, kind.files.tests)])
    }

    /// Writes `files` and the package manifest into `dir` (created if missing), none if any of
    /// them already exists; then links the DSL for the manifest (`InitPackage`).
    public static func write(to dir: String, files: [(name: String, text: String)]) throws -> [String] {
        let files = files + [(InitPackage.manifestFile, InitPackage.manifest)]
        let dsl = try InitPackage.dslTarget()
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), !isDir.boolValue {
            throw Problem("exists and is not a directory", file: dir)
        }
        for (name, _) in files where FileManager.default.fileExists(atPath: "\(dir)/\(name)") {
            throw Problem("\(dir)/\(name): already exists; nothing was written (nftctl init never overwrites)")
        }
        do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
            throw Problem("cannot create the directory: \(error.localizedDescription)", file: dir)
        }
        var written: [String] = []
        for (name, text) in files {
            let path = "\(dir)/\(name)"
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw Problem("cannot create: \(String(cString: strerror(errno)))", file: path) }
            let ok = text.utf8CString.withUnsafeBufferPointer { b in Glibc.write(fd, b.baseAddress, b.count - 1) == b.count - 1 }
            close(fd)
            guard ok else { throw Problem("cannot write", file: path) }
            written.append(path)
        }
        try InitPackage.link(in: dir, to: dsl)
        return written
    }

}
