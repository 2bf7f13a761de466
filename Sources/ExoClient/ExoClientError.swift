// The closed set of ways an ExOS call can fail: the daemon could not be reached, it refused
// with a typed wire error, it broke the protocol, or the session ended.

import ExoPlatform
import ExoWire

/// Every failure an ExOS session call reports.
public enum ExoClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The control socket at `path` could not be connected.
    case unreachable(path: String, SystemError)
    /// The daemon answered with a typed refusal; the session survives unless
    /// `ExoError.closesSession` says otherwise.
    case refused(ExoError, detail: String)
    /// The daemon sent something the protocol does not allow (undecodable record, wrong reply
    /// kind, wrong descriptor count). The session is closed when the reader saw it.
    case protocolViolation(String)
    /// The session is closed: the daemon hung up, or `close()` was called.
    case disconnected
    /// The request breaks a protocol limit (batch size, name or token length) and was not sent;
    /// the session is unaffected (deviation from the four-case brief: a local check, not a refusal).
    case invalidRequest(String)
    /// A frame's descriptor arrived but could not be mapped (deviation from the four-case brief:
    /// a local mmap failure is neither a refusal nor a protocol fault).
    case mapFailed(frame: FrameNumber, SystemError)
    /// The data path's ring region arrived but could not be inspected or mapped.
    case ringMapFailed(SystemError)

    public var description: String {
        switch self {
        case .unreachable(let path, let error): "cannot reach exokerneld at \(path): \(error)"
        case .refused(let code, let detail):
            detail.isEmpty || detail == code.description
                ? "refused: \(code) (code \(code.rawValue))" : "refused: \(code) (code \(code.rawValue)): \(detail)"
        case .protocolViolation(let what): "protocol violation: \(what)"
        case .disconnected: "disconnected from exokerneld"
        case .invalidRequest(let why): "invalid request (not sent): \(why)"
        case .mapFailed(let frame, let error): "cannot map frame \(frame): \(error)"
        case .ringMapFailed(let error): "cannot map the data path's ring region: \(error)"
        }
    }
}
