// The exit statuses ExOS tools (exoctl, exobench, clients) promise to scripts, and which
// failure maps to which. One table so tools and tests agree.

/// Process exit statuses of the operator tools.
public enum ToolExitStatus: Int32, Sendable, CaseIterable {
    /// The command did what it was asked.
    case success = 0
    /// The daemon refused the request (the refusal is printed).
    case refused = 1
    /// Bad command line, or a request the protocol cannot carry (e.g. an over-long name).
    case usage = 2
    /// The control socket could not be connected.
    case unreachable = 3
    /// The daemon refused this peer's identity: not an operator, or not allowed to be that tenant.
    case notPermitted = 4
    /// The daemon broke the protocol, hung up mid-conversation, or sent an unusable descriptor.
    case protocolError = 5

    /// The status a tool exits with after `error`.
    public init(_ error: ExoClientError) {
        switch error {
        case .unreachable: self = .unreachable
        case .refused(.notOperator, _), .refused(.notPermitted, _): self = .notPermitted
        case .refused: self = .refused
        case .invalidRequest: self = .usage
        // A descriptor the daemon sent that cannot be mapped is counted with protocol faults.
        case .protocolViolation, .disconnected, .mapFailed, .ringMapFailed: self = .protocolError
        }
    }
}
