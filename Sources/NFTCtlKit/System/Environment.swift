#if canImport(Glibc)
import Glibc
#endif

/// One environment variable, read with `getenv`: `ProcessInfo.processInfo.environment`
/// copies the whole environment into a dictionary on every call, and an apply asks for its
/// settings (state directory, timing, test hooks) a dozen times.
public enum Environment {
    public static func value(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}
