extension Trace {
    /// The exit status of `trace` and `explain --packet`: 0 accept, 1 drop/reject/queue,
    /// 3 undetermined.
    public var exitStatus: Int32 {
        switch verdict {
        case .accept: return 0
        case .undetermined: return 3
        default: return 1
        }
    }
}
