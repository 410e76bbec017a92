import NFTAnalysis
import NFTables

/// Right-hand-side literals: the most readable DSL spelling of a value of a given kind, checked
/// against what the DSL's own literal initialisers produce; `Kind(<model literal>)` otherwise.
enum ValueSpelling {
    typealias S = SwiftLiteral

    /// The literal, or `Kind(.model(...))` when no typed literal gives back exactly `e`.
    static func spell(_ e: Expression, _ kind: DSLValueKind) -> String {
        literal(e, kind) ?? "\(kind.typeName)(\(ModelLiteral.expression(e)))"
    }

    /// What a string literal of this kind denotes.
    static func fromString(_ s: String, _ kind: DSLValueKind) -> Expression {
        switch kind {
        case .addr: return Addr(stringLiteral: s).expression
        case .any: return Value(stringLiteral: s).expression
        default: return .string(s)
        }
    }

    static func hasIntegerLiterals(_ kind: DSLValueKind) -> Bool { kind != .addr && kind != .name }

    /// A typed literal for `e`, or nil.
    static func literal(_ e: Expression, _ kind: DSLValueKind) -> String? {
        switch e {
        case .string(let s):
            if let n = SymbolNames.byKind[kind]?[e] { return "." + n }
            return fromString(s, kind) == e ? S.string(s) : nil
        case .number(let n):
            return hasIntegerLiterals(kind) ? "\(n)" : nil
        case .unsigned(let u):
            return kind == .number ? "Number(\(u) as UInt64)" : nil
        case .bool(let b):
            return kind == .any ? "\(b)" : nil
        case .set(let l, _):
            var parts: [String] = []
            for x in l {
                guard let p = element(x, kind) else { return nil }
                parts.append(p)
            }
            return "[" + parts.joined(separator: ", ") + "]"
        case .prefix(.string(let a), let len):
            guard kind == .addr || kind == .any else { return nil }
            let s = "\(a)/\(len)"
            return fromString(s, kind) == e ? S.string(s) : nil
        case .range(let a, let b):
            if case .string(let x) = a, case .string(let y) = b, kind == .addr || kind == .any {
                let s = "\(x)-\(y)"
                if fromString(s, kind) == e { return S.string(s) }
            }
            if case .number(let x) = a, case .number(let y) = b, x <= y, kind == .number || kind == .any {
                return "\(kind.typeName).range(\(x)...\(y))"
            }
            if kind == .any, let x = literal(a, .any), let y = literal(b, .any) { return "Value.range(\(x), \(y))" }
            return nil
        case .concat(let parts) where kind == .any:
            var out: [String] = []
            for p in parts {
                guard let t = literal(p, .any), !t.hasPrefix("[") else { return nil }
                out.append(t)
            }
            return "concat(" + out.joined(separator: ", ") + ")"
        case .list(let l) where kind.bitTests && !l.isEmpty:
            // A bit combination: `.syn | .ack`.
            var out: [String] = []
            for x in l {
                guard let n = SymbolNames.byKind[kind]?[x] else { return nil }
                out.append("." + n)
            }
            return out.count == 1 ? nil : out.joined(separator: " | ")
        default:
            return nil
        }
    }

    /// An element of an array literal: like `literal`, with number ranges spelled for arrays.
    static func element(_ e: Expression, _ kind: DSLValueKind) -> String? {
        if case .set = e { return nil }
        return literal(e, kind)
    }

    /// A set or map element (type `Value`): its literal, or `Value(<model>)`.
    static func anyValue(_ e: Expression) -> String { spell(e, .any) }
}
