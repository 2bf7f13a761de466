// The arbiter's answer to "what must the daemon do now?" after holdings ended: frames that
// became free and tokens that stopped being redeemable.
import ExoWire

/// What the daemon must do after state changed. Frames in `freedFrames` became free by this
/// call (each frame is reported exactly once per time it becomes free): the daemon drops or
/// replaces their backing before the frame is allocated again. Both lists are sorted
/// (by frame number, by token id).
public struct Released: Sendable, Equatable {
    public var freedFrames: [FrameNumber]
    public var revokedTokens: [OutstandingToken]

    public init(freedFrames: [FrameNumber] = [], revokedTokens: [OutstandingToken] = []) {
        self.freedFrames = freedFrames
        self.revokedTokens = revokedTokens
    }

    /// True when nothing was freed or revoked.
    public var isEmpty: Bool { freedFrames.isEmpty && revokedTokens.isEmpty }

    /// Puts both lists in their documented order.
    mutating func sort() {
        freedFrames.sort()
        revokedTokens.sort { $0.tokenID < $1.tokenID }
    }
}
