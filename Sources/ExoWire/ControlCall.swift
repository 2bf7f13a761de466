// A request paired with the one reply kind that answers it, so a client cannot accept the
// wrong reply: the pairing is written once here, and the channel checks it for every call.

/// One request and how to read its answer. `answer(reply)` returns nil when `reply` is not
/// the kind that answers `request` (the channel then reports a protocol violation naming
/// `replyName`). A `.error` reply never reaches `answer`: the channel turns it into a refusal.
public struct ControlCall<Answer: Sendable>: Sendable {
    /// What goes on the wire.
    public let request: Request
    /// The reply kind that answers `request`, for messages.
    public let replyName: String
    /// The answer carried by `reply`, or nil if `reply` is of another kind.
    public let answer: @Sendable (Reply) -> Answer?

    public init(_ request: Request, replyName: String, answer: @escaping @Sendable (Reply) -> Answer?) {
        self.request = request
        self.replyName = replyName
        self.answer = answer
    }
}
