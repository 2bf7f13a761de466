// One allocated frame as `exoctl frames` shows it: its generation, in-flight references and
// every holding of it.
import ExoWire

/// A snapshot of one allocated frame.
public struct FrameState: Sendable, Equatable {
    public var frame: FrameNumber
    /// The frame's generation (bumped each time it went from free to allocated).
    public var epoch: UInt64
    /// In-flight references of all sessions.
    public var inFlight: UInt32
    /// Every live holding of the frame, by ascending holding id.
    public var holders: [Holding]

    public init(frame: FrameNumber, epoch: UInt64, inFlight: UInt32, holders: [Holding]) {
        self.frame = frame
        self.epoch = epoch
        self.inFlight = inFlight
        self.holders = holders
    }
}
