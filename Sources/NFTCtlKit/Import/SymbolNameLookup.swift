import NFTAnalysis

/// The DSL's named values per kind; the table (`byKind`) is generated into SymbolNames.swift
/// from the DSL's own symbols, the code that builds it is here.
enum SymbolNames {
    /// By expression; where two names stand for one value, the first (the DSL's preferred) wins.
    static func names(_ pairs: [(String, Expression)]) -> [Expression: String] {
        var d: [Expression: String] = [:]
        for (n, e) in pairs where d[e] == nil { d[e] = n }
        return d
    }
}
