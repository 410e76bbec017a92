import NFTAnalysis

extension Trace {
    /// Human-readable: one line per step, then the verdict and the assumptions.
    public func renderText() -> String {
        // Each line escaped whole: names and comments cannot add lines or control sequences.
        var out = ""
        func line(_ text: String) { out += SafeText.escape(text) + "\n" }
        line("packet: \(packet.text)")
        var base = ""
        for s in steps {
            let place = "\(s.hook.rawValue) \(s.table) \(s.chain)"
            if s.result == .enter { base = s.chain }
            switch s.result {
            case .enter:
                line("\(place): \(s.detail)")
            case .policy, .return, .skipped:
                line("  \(place): \(s.result.rawValue): \(s.detail)")
            default:
                let loc = s.location.map { " (\($0))" } ?? ""
                let inChain = s.chain == base ? "" : " of chain \(s.chain)"
                line("  rule \(s.rule ?? 0)\(inChain)\(loc): \(s.text ?? "")")
                line("    \(s.result.rawValue): \(s.detail)")
            }
        }
        if finalPacket != packet.text { line("after NAT: \(finalPacket)") }
        line("verdict: \(verdict.rawValue) — \(reason)")
        for a in assumptions { line("assumed: \(a)") }
        for n in notes { line("note: \(n)") }
        return out
    }

    /// `{"verdict": ..., "reason": ..., "packet": ..., "steps": [...], "assumptions": [...]}`.
    public var json: JSON {
        var steps: [JSON] = []
        for s in self.steps {
            var o: [(String, JSON)] = []
            o.append(("hook", .string(s.hook.rawValue)))
            o.append(("table", .string(s.table)))
            o.append(("chain", .string(s.chain)))
            if let r = s.rule { o.append(("rule", .int(Int64(r)))) }
            if let t = s.text { o.append(("text", .string(t))) }
            if let l = s.location { o.append(("location", .string(l.description))) }
            o.append(("result", .string(s.result.rawValue)))
            o.append(("detail", .string(s.detail)))
            steps.append(.object(JSONObject(o)))
        }
        var o: [(String, JSON)] = []
        o.append(("verdict", .string(verdict.rawValue)))
        o.append(("reason", .string(reason)))
        o.append(("packet", .string(packet.text)))
        o.append(("final_packet", .string(finalPacket)))
        if let u = undeterminedStep { o.append(("undetermined_step", .int(Int64(u)))) }
        o.append(("steps", .array(steps)))
        o.append(("assumptions", .array(assumptions.map { .string($0) })))
        o.append(("notes", .array(notes.map { .string($0) })))
        return .object(JSONObject(o))
    }
}
