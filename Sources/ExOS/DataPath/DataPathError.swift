// The ways adding frames to a data path or waiting on it can fail; packet-path calls
// themselves never throw (hostile descriptors are counted, not reported).

import ExoPlatform
import ExoWire

/// Failures of ``DataPath`` control calls.
public enum DataPathError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The frame is mapped read-only (the holding lacks `.write`) or was unmapped.
    case frameNotWritable(FrameNumber)
    /// The frame's mapping is not exactly the data path's frame size.
    case frameSizeMismatch(FrameNumber, length: Int, expected: Int)
    /// The frame is already in this or another data path, or listed twice.
    case frameAlreadyInUse(FrameNumber)
    /// Blocking on the daemon's eventfd failed.
    case waitFailed(SystemError)
    /// The session's control connection ended (the daemon went away or closed it): no packet
    /// will arrive and nothing sent will be completed.
    case sessionEnded

    public var description: String {
        switch self {
        case .frameNotWritable(let frame): "frame \(frame) is not mapped writable"
        case .frameSizeMismatch(let frame, let length, let expected):
            "frame \(frame) is mapped with \(length) bytes, the data path needs \(expected)"
        case .frameAlreadyInUse(let frame): "frame \(frame) is already in a data path"
        case .waitFailed(let error): "waiting for the daemon failed: \(error)"
        case .sessionEnded: "the session with exokerneld ended (disconnected)"
        }
    }
}

/// What ``DataPath/wait(timeout:)`` observed.
public enum WaitOutcome: Equatable, Sendable {
    /// rx or completion may have entries (or a spurious wakeup): call `receive`.
    case ready
    /// The timeout passed with both rings empty.
    case timedOut
}
