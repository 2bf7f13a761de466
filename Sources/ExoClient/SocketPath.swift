// Where the daemon's control socket is: an explicit path wins, then $EXOKERNEL_SOCKET, then
// the systemd runtime directory. Every tool (ExOS, exoctl, exobench, clients) resolves it here.

#if canImport(Glibc)
import Glibc
#endif

/// Resolution of the control socket path.
public enum SocketPath {
    /// Where the packaged systemd unit puts the socket.
    public static let defaultPath = "/run/exokernel/exokerneld.sock"
    /// Environment variable that overrides the default.
    public static let environmentVariable = "EXOKERNEL_SOCKET"

    /// Pure rule: `explicit` if given and non-empty, else the environment's non-empty
    /// `EXOKERNEL_SOCKET`, else `defaultPath`.
    public static func resolve(explicit: String?, environment: [String: String]) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        if let fromEnvironment = environment[environmentVariable], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        return defaultPath
    }

    /// `resolve(explicit:environment:)` against this process's environment.
    public static func resolve(explicit: String? = nil) -> String {
        var environment: [String: String] = [:]
        if let value = getenv(environmentVariable) {
            environment[environmentVariable] = String(cString: value)
        }
        return resolve(explicit: explicit, environment: environment)
    }
}
