// The one environment override of the configuration: EXOKERNEL_SOCKET replaces the socket path.
// Pure: the caller passes the environment, and validates the result afterwards.

extension DaemonConfig {
    /// Name of the environment variable that overrides `daemon.socket`.
    public static let socketEnvironmentVariable = "EXOKERNEL_SOCKET"

    /// This configuration with `socketPath` replaced by `EXOKERNEL_SOCKET` when that is set and
    /// not empty. Apply it before `ConfigValidator.check`, so an override is validated too.
    public func withSocketOverride(from environment: [String: String]) -> DaemonConfig {
        guard let path = environment[Self.socketEnvironmentVariable], !path.isEmpty else { return self }
        var copy = self
        copy.socketPath = path
        return copy
    }
}
