import Foundation
import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// The evaluator agrees with the kernel: rulesets (rules/ examples and random ones, fixed
/// seed) are applied with nftctl in a "server" namespace joined by veth pairs to two client
/// namespaces; real TCP connects, UDP datagrams and ICMP echoes (new, and data on
/// established connections) go from eight source addresses; whether each arrived is
/// compared with the offline trace. Traffic only ever flows between these namespaces.
@Suite(.serialized) struct SimulateKernelTests {
    /// One client namespace: its veth peer on the server and its source addresses.
    struct Client {
        var ns: TestNamespace
        var serverIf: String
        var sources: [String]
    }

    struct Probe {
        var kind: String
        var src: String
        var dst: String
        var dport: Int
        var iif: String
        var established = false
        var token = ""
        var packet: String {
            let state = established ? "established" : "new"
            switch kind {
            case "icmp": return "icmp \(src) -> \(dst) iif \(iif) state \(state)"
            case "tcp" where !established: return "tcp \(src) -> \(dst):\(dport) iif \(iif) state new flags syn"
            default: return "\(kind) \(src) -> \(dst):\(dport) iif \(iif) state \(state)"
            }
        }
        var json: String {
            "{\"kind\": \"\(kind)\", \"src\": \"\(src)\", \"dst\": \"\(dst)\", \"dport\": \(dport), \"token\": \"\(token)\"}"
        }
    }

    static let destinations = ["10.99.1.1", "10.99.2.1"]
    static let ports = [22, 80, 443, 8080, 53, 5000]
    static let listenPort = 22
    /// Not part of any ruleset under test: it only counts, and it keeps conntrack on in the
    /// server namespace, so connections opened before a ruleset are tracked.
    static let warm = """
        table inet nftctl_sim_warm {
          chain c {
            type filter hook input priority -400; policy accept;
            ct state new counter
          }
        }
        """

    @Test(.needsRoot) func kernelAgreesWithTheEvaluator() throws {
        guard let server = TestNamespace.make("simulate server"), let ns1 = TestNamespace.make("simulate client 1"),
            let ns2 = TestNamespace.make("simulate client 2")
        else { return }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("nftctl-simk-\(getpid())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let clients = [
            Client(ns: ns1, serverIf: "s1", sources: ["10.99.1.2", "192.168.1.100", "198.51.100.7", "10.0.0.5"]),
            Client(ns: ns2, serverIf: "s2", sources: ["10.99.2.2", "10.99.2.3", "192.0.2.10", "203.0.113.9"])
        ]
        try setUp(server: server, clients: clients)
        let serverPy = work.appendingPathComponent("server.py").path
        let clientPy = work.appendingPathComponent("client.py").path
        try SimulateKernelScripts.server.write(toFile: serverPy, atomically: true, encoding: .utf8)
        try SimulateKernelScripts.client.write(toFile: clientPy, atomically: true, encoding: .utf8)
        let log = work.appendingPathComponent("server.log").path
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let listener = try Background(["ip", "netns", "exec", server.name, "/usr/bin/python3", serverPy, log, String(Self.listenPort)])
        defer { listener.stop() }
        #expect(listener.readLine() == "listening")

        var rulesets: [(String, String)] = []
        for name in ["seed-drop.swift", "haproxy-edge.swift"] {
            rulesets.append((name, Shell.repositoryRoot.appendingPathComponent("rules/\(name)").path))
        }
        var rng = SplitMix(seed: 0x5eed_2026)
        for i in 0..<8 {
            let path = work.appendingPathComponent("random-\(i).nft").path
            try RandomRuleset.make(
                &rng, sources: clients.flatMap(\.sources), destinations: Self.destinations,
                ports: Self.ports
            ).write(toFile: path, atomically: true, encoding: .utf8)
            rulesets.append(("random-\(i).nft", path))
        }

        var agree = 0, total = 0, delivered = 0
        var failures: [String] = []
        var tokenCounter = 0
        for (name, path) in rulesets {
            // A clean slate (plus a ct-using table so conntrack tracks the warm-up connections).
            server.exec(["nft", "flush", "ruleset"])
            let warmed = server.nftLoad(Self.warm)
            try #require(warmed.status == 0, "cannot load the conntrack table: \(warmed.stderr)")
            // Established connections, opened before the ruleset exists.
            var est: [(Client, [Probe])] = []
            for c in clients {
                var ps: [Probe] = []
                for _ in 0..<2 {
                    tokenCounter += 1
                    ps.append(
                        Probe(
                            kind: "tcp", src: rng.pick(c.sources), dst: rng.pick(Self.destinations),
                            dport: Self.listenPort, iif: c.serverIf, established: true, token: "tok\(tokenCounter)"))
                }
                est.append((c, ps))
            }
            var openers: [Background] = []
            defer { for o in openers { o.stop() } }
            for (c, ps) in est {
                let file = work.appendingPathComponent("est-\(c.serverIf).json").path
                try ("[" + ps.map(\.json).joined(separator: ",") + "]").write(toFile: file, atomically: true, encoding: .utf8)
                let o = try Background(["ip", "netns", "exec", c.ns.name, "/usr/bin/python3", clientPy, "est", file])
                openers.append(o)
                #expect(o.readLine() == "ready", "\(name): established connections could not be opened")
            }
            // The ruleset, applied by nftctl; the evaluator reads the same file.
            let stateDir = work.appendingPathComponent("state-\(name)").path
            let apply = Shell.run(
                [Shell.nftctl, "apply", "--yes", "--netns", server.name, path],
                environment: ["NFTCTL_STATE_DIR": stateDir])
            guard apply.status == 0 else {
                Issue.record("\(name): apply failed: \(apply.stderr)")
                continue
            }
            let sim = Simulator(state: try InputLoader.load(path).state)

            // New packets from every client at once.
            var newProbes: [(Client, [Probe])] = []
            for c in clients {
                var ps: [Probe] = []
                for src in c.sources {
                    ps.append(Probe(kind: "icmp", src: src, dst: rng.pick(Self.destinations), dport: 0, iif: c.serverIf))
                    for _ in 0..<2 {
                        ps.append(
                            Probe(
                                kind: rng.pick(["tcp", "tcp", "udp"]), src: src, dst: rng.pick(Self.destinations),
                                dport: rng.pick(Self.ports), iif: c.serverIf))
                    }
                }
                newProbes.append((c, ps))
            }
            var outcomes: [(Probe, String)] = []
            var runs: [(Background, [Probe])] = []
            for (c, ps) in newProbes {
                let file = work.appendingPathComponent("probe-\(c.serverIf).json").path
                try ("[" + ps.map(\.json).joined(separator: ",") + "]").write(toFile: file, atomically: true, encoding: .utf8)
                runs.append((try Background(["ip", "netns", "exec", c.ns.name, "/usr/bin/python3", clientPy, "probe", file]), ps))
            }
            for (b, ps) in runs {
                let line = b.readLine() ?? ""
                b.wait()
                let results = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String]
                for (i, p) in ps.enumerated() { outcomes.append((p, results?[i] ?? "error: no result")) }
            }
            // Data on the established connections.
            for o in openers { o.write("go\n") }
            for o in openers { _ = o.readLine(); o.wait() }
            let received = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            let got = Set(received.split(separator: "\n").map(String.init))
            for (_, ps) in est {
                for p in ps { outcomes.append((p, got.contains(p.token) ? "delivered" : "dropped")) }
            }

            var here = 0
            for (p, kernel) in outcomes {
                total += 1
                if kernel == "delivered" { delivered += 1 }
                let trace = sim.trace(try PacketSpec.parse(p.packet))
                let same =
                    (kernel == "delivered" && trace.verdict == .accept)
                    || (kernel == "dropped" && (trace.verdict == .drop || trace.verdict == .reject))
                if same { agree += 1; here += 1; continue }
                failures.append("\(name): \(p.packet): kernel \(kernel), evaluator \(trace.verdict.rawValue)\n\(trace.renderText())")
            }
            print("kernel agreement for \(name): \(here)/\(outcomes.count) packets")
        }
        print("kernel agreement: \(agree)/\(total) packets (\(delivered) delivered, \(total - delivered) not)")
        for f in failures { print("DISAGREEMENT \(f)") }
        #expect(total >= 200, "too few packets were compared")
        // Both outcomes must be well represented, or agreement would say little.
        #expect(delivered >= total / 5 && total - delivered >= total / 5, "\(delivered) of \(total) delivered: too one-sided")
        #expect(
            agree == total,
            "the evaluator disagrees with the kernel on \(total - agree) of \(total) packets:\n\(failures.joined(separator: "\n"))")
    }

    func setUp(server: TestNamespace, clients: [Client]) throws {
        func must(_ ns: TestNamespace, _ args: [String]) throws {
            let r = ns.exec(args)
            try #require(r.status == 0, "\(args.joined(separator: " ")) in \(ns.name): \(r.stderr)")
        }
        try must(server, ["ip", "link", "set", "lo", "up"])
        for s in ["net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0", "net.ipv4.icmp_ratemask=0"] {
            try must(server, ["sysctl", "-qw", s])
        }
        for (i, c) in clients.enumerated() {
            let n = i + 1
            let peer = "c\(n)"
            try must(server, ["ip", "link", "add", c.serverIf, "type", "veth", "peer", "name", peer, "netns", c.ns.name])
            try must(server, ["ip", "addr", "add", "10.99.\(n).1/24", "dev", c.serverIf])
            try must(server, ["ip", "link", "set", c.serverIf, "up"])
            try must(c.ns, ["ip", "link", "set", "lo", "up"])
            try must(c.ns, ["sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0"])
            for (k, a) in c.sources.enumerated() {
                let onLink = a.hasPrefix("10.99.\(n).")
                try must(
                    c.ns, ["ip", "addr", "add", onLink ? "\(a)/24" : "\(a)/32", "dev", peer] + (k > 0 && onLink ? ["noprefixroute"] : []))
                if !onLink { try must(server, ["ip", "route", "add", "\(a)/32", "via", c.sources[0]]) }
            }
            try must(c.ns, ["ip", "link", "set", peer, "up"])
            try must(c.ns, ["ip", "route", "add", "default", "via", "10.99.\(n).1"])
        }
    }
}

/// A process left running (a listener, a client holding connections) with pipes.
final class Background: @unchecked Sendable {
    let process = Process()
    let input = Pipe(), output = Pipe()
    private var buffer = Data()

    init(_ args: [String]) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = args
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    /// The next line of output (nil at end of output).
    func readLine() -> String? {
        while true {
            if let nl = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[buffer.startIndex..<nl], as: UTF8.self)
                buffer = Data(buffer[(nl + 1)...])
                if line.hasPrefix("error:") { continue }
                return line
            }
            let d = output.fileHandleForReading.availableData
            if d.isEmpty { return nil }
            buffer.append(d)
        }
    }

    func write(_ s: String) { try? input.fileHandleForWriting.write(contentsOf: Data(s.utf8)) }
    func wait() { process.waitUntilExit() }

    /// SIGKILL: a test runner may start children with SIGTERM ignored.
    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

/// Random rulesets over saddr, daddr, protocol and port with accept, drop, jump, goto and
/// return; sometimes two tables on the input hook at different priorities.
enum RandomRuleset {
    static func make(_ rng: inout SplitMix, sources: [String], destinations: [String], ports: [Int]) -> String {
        let prefixes = ["10.99.1.0/24", "10.99.2.0/24", "10.0.0.0/8", "192.0.0.0/8", "198.51.100.0/24", "10.99.0.0/16"]
        func address() -> String {
            switch rng.int(4) {
            case 0: return "ip saddr \(rng.chance(20) ? "!= " : "")\(rng.pick(sources))"
            case 1: return "ip saddr \(rng.pick(prefixes))"
            case 2: return "ip saddr { \(rng.pick(sources)), \(rng.pick(sources)), \(rng.pick(prefixes)) }"
            default: return "ip daddr \(rng.chance(25) ? "!= " : "")\(rng.pick(destinations))"
            }
        }
        /// At most one transport condition per rule, so the kernel never sees conflicting protocols.
        func transport() -> String? {
            switch rng.int(9) {
            case 0: return "meta l4proto \(rng.pick(["tcp", "udp", "icmp"]))"
            case 1, 2: return "\(rng.pick(["tcp", "udp"])) dport \(rng.pick(ports))"
            case 3: return "tcp dport { \(rng.pick(ports)), \(rng.pick(ports)) }"
            case 4:
                let p = rng.pick(ports)
                return "udp dport \(p)-\(p + 1000)"
            case 5: return "icmp type echo-request"
            case 6: return "ip protocol \(rng.pick(["tcp", "udp", "icmp"]))"
            default: return nil
            }
        }
        func rule(_ verdicts: [String]) -> String {
            var conds = (0..<rng.int(3)).map { _ in address() }
            if let t = transport() { conds.insert(t, at: rng.int(conds.count + 1)) }
            if rng.chance(15) { conds.append("ct state \(rng.pick(["new", "established", "established,related"]))") }
            if conds.isEmpty { conds.append(address()) }
            return (conds + [rng.pick(verdicts)]).joined(separator: " ")
        }
        let family = rng.pick(["ip", "inet"])
        var out = "table \(family) sim {\n"
        let regular = rng.int(3)
        for c in 0..<regular {
            out += "  chain c\(c) {\n"
            for _ in 0..<(1 + rng.int(3)) { out += "    \(rule(["accept", "drop", "return", "counter"]))\n" }
            out += "  }\n"
        }
        let targets = (0..<regular).flatMap { ["jump c\($0)", "goto c\($0)"] }
        out += "  chain input {\n    type filter hook input priority 0; policy \(rng.pick(["accept", "drop"]));\n"
        for _ in 0..<(3 + rng.int(5)) { out += "    \(rule(["accept", "drop", "counter"] + targets))\n" }
        out += "  }\n}\n"
        if rng.chance(40) {
            out += "table ip sim2 {\n  chain input {\n    type filter hook input priority \(rng.pick([-10, 10]));"
            out += " policy \(rng.pick(["accept", "drop"]));\n"
            for _ in 0..<(1 + rng.int(3)) { out += "    \(rule(["accept", "drop"]))\n" }
            out += "  }\n}\n"
        }
        return out
    }
}
