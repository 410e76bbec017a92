import Foundation
import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// LibNFTablesBackend against the kernel, always in a namespace the test creates and
/// deletes (`ip netns add nftctl-t-...`). Nothing here changes the test process's own
/// namespace: the host's ruleset is only ever read, to prove it was not touched.
@Suite(.serialized) struct BackendKernelTests {
    static let batch = """
        {"nftables": [
          {"add": {"table": {"family": "inet", "name": "bk"}}},
          {"add": {"chain": {"family": "inet", "table": "bk", "name": "input", "type": "filter", "hook": "input", "prio": 0, "policy": "accept"}}},
          {"add": {"set": {"family": "inet", "table": "bk", "name": "allowed", "type": "ipv4_addr", "elem": ["10.0.0.1", "10.0.0.2"]}}},
          {"add": {"rule": {"family": "inet", "table": "bk", "chain": "input", "expr": [
            {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": "@allowed"}},
            {"accept": null}]}}},
          {"add": {"rule": {"family": "inet", "table": "bk", "chain": "input", "expr": [
            {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 22}}, {"drop": null}]}}}
        ]}
        """

    /// The network namespace the calling thread is in, by inode.
    static var threadNetns: UInt64? { SystemCall.inode("/proc/thread-self/ns/net") }

    /// nftctl's own netlink sockets are closed late (`closeLater`: the first close after a
    /// commit that freed something waits for the kernel to free it), but only a few are kept
    /// open, and the requests after a deleting commit still answer.
    @Test(.needsRoot) func ownNetlinkSocketsAreClosedLate() throws {
        guard let ns = TestNamespace.make("nftctl's own netlink requests close their sockets") else { return }
        let backend = try LibNFTablesBackend(netns: ns.name)
        try backend.applyText("add table inet gone\nadd chain inet gone c\nadd rule inet gone c accept", dryRun: false)
        let generation = try backend.generationID()
        try backend.applyText("delete table inet gone", dryRun: false)
        for _ in 0..<20 {
            #expect(try backend.generationID() == generation &+ 1)
            #expect(try backend.tableKeys().isEmpty)
        }
        // Sockets of our own, known by device and inode (other tests of this process open
        // and close theirs meanwhile, and only ever push ours out sooner): all but the
        // last `deferredLimit` handed over are closed.
        var opened: [(fd: Int32, id: [UInt64])] = []
        for _ in 0..<50 {
            let fd = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), NetfilterNetlink.protocolNumber)
            try #require(fd >= 0)
            var st = stat()
            try #require(fstat(fd, &st) == 0)
            opened.append((fd, [UInt64(st.st_dev), UInt64(st.st_ino)]))
        }
        for s in opened { NetfilterNetlink.closeLater(s.fd) }
        for s in opened.dropLast(NetfilterNetlink.deferredLimit) {
            var st = stat()
            #expect(fstat(s.fd, &st) != 0 || [UInt64(st.st_dev), UInt64(st.st_ino)] != s.id, "socket \(s.id) still open as fd \(s.fd)")
        }
    }

    @Test(.needsRoot) func appliesIntoANamedNamespaceAndListsItBack() throws {
        guard let ns = TestNamespace.make("LibNFTablesBackend apply + list in a named netns") else { return }
        let host = Self.threadNetns
        let backend = try LibNFTablesBackend(netns: ns.name)
        #expect(Self.threadNetns == host)
        try backend.apply(Document.parse(Self.batch), dryRun: false)
        #expect(Self.threadNetns == host)

        let listing = try backend.list()
        let rules = listing.entries.compactMap { e -> Rule? in
            if case .item(.rule(let r)) = e { return r }; return nil
        }
        #expect(rules.count == 2)
        #expect(rules.allSatisfy { $0.table == "bk" && $0.handle != nil })
        #expect(
            listing.entries.contains {
                if case .item(.set(let s)) = $0 { return s.elements.count == 2 }; return false
            })
        let one = try backend.list(table: "inet", name: "bk")
        #expect(one.entries.count == listing.entries.count)  // the only table
        // nft itself, inside the namespace, sees the same; the host has no such table.
        #expect(ns.nftList().contains("ip saddr @allowed accept"))
        #expect(Shell.run(["nft", "list", "table", "inet", "bk"]).status != 0)

        // nft syntax, and a dry run that changes nothing.
        try backend.applyText("add rule inet bk input udp dport 53 accept", dryRun: false)
        let before = ns.nftList()
        try backend.applyText("add rule inet bk input udp dport 54 accept", dryRun: true)
        try backend.apply(Document.parse(#"{"nftables": [{"add": {"table": {"family": "ip", "name": "dry"}}}]}"#), dryRun: true)
        #expect(ns.nftList() == before)
        #expect(before.contains("udp dport 53 accept"))
        #expect(throws: BackendError.self) { try backend.list(table: "ip", name: "absent") }
    }

    @Test(.needsRoot) func aBatchWhoseLastCommandFailsChangesNothing() throws {
        guard let ns = TestNamespace.make("atomicity of one libnftables call") else { return }
        let backend = try LibNFTablesBackend(netns: ns.name)
        try backend.apply(Document.parse(Self.batch), dryRun: false)
        let before = ns.nftList()
        let generation = try backend.generationID()
        let bad = try Document.parse(
            """
            {"nftables": [
              {"delete": {"table": {"family": "inet", "name": "bk"}}},
              {"add": {"table": {"family": "ip", "name": "other"}}},
              {"add": {"chain": {"family": "ip", "table": "other", "name": "c"}}},
              {"add": {"rule": {"family": "ip", "table": "other", "chain": "missing", "expr": [{"accept": null}]}}}
            ]}
            """)
        do {
            try backend.apply(bad, dryRun: false)
            Issue.record("the bad batch was accepted")
        } catch let error as BackendError {
            guard case .nftables(_, let text) = error else { Issue.record("unexpected \(error)"); return }
            #expect(text.contains("No such file or directory"), "libnftables' own text is kept: \(text)")
            #expect(error.description.contains("No such file or directory"))
        }
        #expect(ns.nftList() == before)  // byte-identical
        #expect(try backend.generationID() == generation)
    }

    @Test(.needsRoot) func generationIDMovesByOnePerCommitAndNotOnList() throws {
        guard let ns = TestNamespace.make("generation id over raw netlink") else { return }
        let backend = try LibNFTablesBackend(netns: ns.name)
        let g0 = try backend.generationID()
        _ = try backend.list()
        #expect(try backend.generationID() == g0)
        try backend.apply(Document.parse(Self.batch), dryRun: false)  // one batch, one commit
        #expect(try backend.generationID() == g0 &+ 1)
        _ = try backend.list()
        _ = try backend.list(table: "inet", name: "bk")
        try backend.applyText("add table ip dry", dryRun: true)
        #expect(try backend.generationID() == g0 &+ 1)
        try backend.applyText("add table ip one", dryRun: false)
        ns.exec(["nft", "add", "table", "ip", "two"])  // a commit by someone else counts too
        #expect(try backend.generationID() == g0 &+ 3)
        // A second backend on the same namespace reads the same id.
        #expect(try LibNFTablesBackend(netns: ns.name).generationID() == g0 &+ 3)
    }

    /// setns moves one thread only: many concurrent calls on two namespaced backends each
    /// land in their own namespace, and every calling thread ends where it started.
    @Test(.needsRoot) func concurrentCallsStayInTheirNamespaces() async throws {
        guard let a = TestNamespace.make("concurrency and setns confinement (a)"),
            let b = TestNamespace.make("concurrency and setns confinement (b)")
        else { return }
        let host = Self.threadNetns
        let backends = [try LibNFTablesBackend(netns: a.name), try LibNFTablesBackend(netns: b.name)]
        let wrongThreads = try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<40 {
                group.addTask {
                    let backend = backends[i % 2]
                    let table = "t\(i)"
                    try backend.applyText("add table ip \(table)", dryRun: false)
                    _ = try backend.list()
                    _ = try backend.generationID()
                    return Self.threadNetns == host ? 0 : 1
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(wrongThreads == 0)
        #expect(Self.threadNetns == host)
        let inA = a.nftList(), inB = b.nftList()
        for i in 0..<40 {
            #expect((i % 2 == 0 ? inA : inB).contains("table ip t\(i) {"))
            #expect(!(i % 2 == 0 ? inB : inA).contains("table ip t\(i) {"))
            #expect(Shell.run(["nft", "list", "table", "ip", "t\(i)"]).status != 0)  // not in the host
        }
    }

    @Test func aMissingNamespaceIsAClearError() throws {
        let name = "nftctl-absent-\(UInt32.random(in: 0...UInt32.max))"
        do {
            _ = try LibNFTablesBackend(netns: name)
            Issue.record("opened a namespace that does not exist")
        } catch {
            // The initializer throws BackendError (typed), so `error` is one.
            #expect(error == .namespaceNotFound(name))
            #expect(error.description.contains("does not exist"))
        }
        #expect(throws: BackendError.self) { try LibNFTablesBackend(netns: "../etc") }
    }

    /// Without CAP_NET_ADMIN, even a list is refused; the message must say so plainly.
    /// Only reads the host's ruleset. As root, nftctl's own `list` runs as user nobody.
    @Test func withoutPrivilegeTheErrorSaysRunAsRoot() throws {
        let expected = "operation not permitted: run as root or inside a namespace"
        #expect(BackendError.notPermitted(operation: "libnftables").description.contains(expected))
        if !TestNamespace.isRoot {
            #expect(throws: BackendError.notPermitted(operation: "libnftables")) { try LibNFTablesBackend().list() }
            return
        }
        guard let built = try? Sandbox.executable() else { Issue.record("no nftctl binary"); return }
        // A copy nobody can reach: the checkout may be in a 0700 directory.
        let exe = try Shell.nftctlReachableByAll(executable: built)
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: exe).deletingLastPathComponent().path) }
        // One error, nftctl's own (libnftables' "you must be root" never gets printed beside it).
        let r = Shell.run(["setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups", exe, "list"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("needs CAP_NET_ADMIN: run nftctl as root"), "stderr: \(r.stderr)")
        #expect(!r.stderr.contains("you must be root"), "stderr: \(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1, "stderr: \(r.stderr)")
        // apply --dry-run says why it needs the kernel, and what works without root.
        let file = URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("x.json").path
        try #"{"nftables": [{"add": {"table": {"family": "inet", "name": "x"}}}]}"#.write(toFile: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file)
        let d = Shell.run(["setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups", exe, "apply", "--dry-run", file])
        #expect(d.status == 1)
        #expect(d.stderr.contains("apply --dry-run (it plans against the kernel's ruleset) needs CAP_NET_ADMIN"), "stderr: \(d.stderr)")
        #expect(d.stderr.split(separator: "\n").count == 1, "stderr: \(d.stderr)")
    }

    @Test func generationReplyParsing() throws {
        // A NFT_MSG_NEWGEN reply: nlmsghdr, nfgenmsg, NFTA_GEN_ID = 0x01020304 big-endian.
        var m: [UInt8] = []
        func put32(_ v: UInt32) { withUnsafeBytes(of: v) { m.append(contentsOf: $0) } }
        func put16(_ v: UInt16) { withUnsafeBytes(of: v) { m.append(contentsOf: $0) } }
        put32(28); put16(GenerationID.newGen); put16(0); put32(7); put32(0)
        m += [0, 0, 0, 0]
        put16(8); put16(1); m += [1, 2, 3, 4]
        #expect(try GenerationID.parse(m, seq: 7) == 0x0102_0304)
        #expect(try GenerationID.parse(m, seq: 8) == nil)
    }
}
