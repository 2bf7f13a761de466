// The grantsChanged event a session is owed after a reload changed its tenant's network
// grants: like the offers notice, queued only into an empty outbound queue and coalesced
// meanwhile (a second reload before it went out adds its ended bindings to the same event).

import ExoWire

/// Whether a session is owed a `grantsChanged` event, and the bindings it will list as ended.
struct GrantsNotice {
    /// Most ended bindings one event lists (7 bytes each: the event stays far below a record).
    static let maxEnded = 4096

    private(set) var isOwed = false
    private var ended: [WireEndpoint] = []

    /// A reload changed the tenant's grants and ended `endedBindings` of this session.
    mutating func changed(ended endedBindings: [WireEndpoint]) {
        isOwed = true
        for endpoint in endedBindings where ended.count < Self.maxEnded && !ended.contains(endpoint) {
            ended.append(endpoint)
        }
    }

    /// The ended bindings to send, if an event is owed; the notice is then clear.
    mutating func take() -> [WireEndpoint]? {
        guard isOwed else { return nil }
        defer {
            isOwed = false
            ended = []
        }
        return ended
    }
}
