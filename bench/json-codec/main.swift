// CPU time of NFTModel's JSON stages on a file (bench/json-codec.sh builds and runs it):
// parse (with entry lines), decode to the model, encode back to a JSON tree, serialise
// pretty and compact, free the trees; the fastest of RUNS (default 5) runs, in ms. Prints FNV
// digests of the three serialisations, to compare two builds' bytes. A `.jsonl` file (the
// corpus) gets one digest over every line in each style and every listing re-encoded.
import Glibc
import NFTModel

func cpuMS() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec) / 1e6
}
func readBytes(_ path: String) -> [UInt8] {
    guard let f = fopen(path, "rb") else { fatalError("cannot open \(path)") }
    defer { fclose(f) }
    var out: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = fread(&buf, 1, buf.count, f)
        if n <= 0 { break }
        out.append(contentsOf: buf[0..<n])
    }
    return out
}
func fnv(_ s: String) -> UInt64 {
    var h: UInt64 = 0xcbf29ce484222325
    for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100000001b3 }
    return h
}
func fastest(_ a: [Double]) -> Double { a.min()! }

let args = CommandLine.arguments.dropFirst()
let runs = Int(getenv("RUNS").map { String(cString: $0) } ?? "5") ?? 5
let dump = getenv("DUMP").map { String(cString: $0) }
for path in args {
    let bytes = readBytes(path)
    if path.hasSuffix(".jsonl") {
        // Corpus: every line parsed and serialised in each style; listed_json through the codec.
        var h: UInt64 = 0xcbf29ce484222325
        var lines = 0
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            guard let j = try? JSON.parse(String(line)) else { continue }
            lines += 1
            for st in [JSONStyle.compact, .spaced, .pretty] { h = (h ^ fnv(j.serialized(st))) &* 0x100000001b3 }
            if case .array(let stmts)? = j["nft_1_0_6"]?["listed_json"] {
                let enc = JSON.array(stmts.map { Statement(json: $0).json })
                h = (h ^ fnv(enc.serialized(.spaced))) &* 0x100000001b3
            }
        }
        print("\(path): \(lines) lines digest \(String(h, radix: 16))")
        continue
    }
    var tParse: [Double] = [], tDecode: [Double] = [], tEncode: [Double] = [], tPretty: [Double] = [],
        tCompact: [Double] = [], tFree: [Double] = [], tParseStr: [Double] = []
    var digest = ""
    for _ in 0..<runs {
        var t = cpuMS()
        let (j, lines) = try! JSON.parseWithEntryLines(bytes: bytes)
        tParse.append(cpuMS() - t); t = cpuMS()
        let doc = try! Document.decode(j)
        tDecode.append(cpuMS() - t); t = cpuMS()
        let enc = doc.json
        tEncode.append(cpuMS() - t); t = cpuMS()
        let pretty = enc.serialized(.pretty)
        tPretty.append(cpuMS() - t); t = cpuMS()
        let compact = enc.serialized(.compact)
        tCompact.append(cpuMS() - t)
        let spaced = enc.serialized(.spaced)
        digest = "pretty \(String(fnv(pretty), radix: 16)) compact \(String(fnv(compact), radix: 16)) spaced \(String(fnv(spaced), radix: 16)) lines \(lines.count) \(lines.last ?? 0) eq \(j == enc)"
        if let dump {
            for (name, s) in [("pretty", pretty), ("compact", compact), ("spaced", spaced)] {
                let f = fopen("\(dump).\(name)", "wb"); _ = s.utf8CString.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count - 1, f) }; fclose(f)
            }
        }
        t = cpuMS()
        _ = consume j; _ = consume doc; _ = consume enc
        tFree.append(cpuMS() - t)
        let text = String(decoding: bytes, as: UTF8.self)
        t = cpuMS()
        _ = try! JSON.parse(text)
        tParseStr.append(cpuMS() - t)
    }
    func f(_ a: [Double]) -> String { String(Int(fastest(a).rounded())) }
    print("\(path): parse \(f(tParse)) decode \(f(tDecode)) encode \(f(tEncode)) pretty \(f(tPretty)) compact \(f(tCompact)) free \(f(tFree)) parse(String)+free \(f(tParseStr)) ms")
    print("  \(digest)")
}
