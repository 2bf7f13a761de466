// A listening endpoint: the options its connections get, the connections that completed the
// handshake and wait for `accept`, and how many are still half-open (SYN-RECEIVED). Both are
// bounded; past the half-open bound the listener answers with SYN cookies.

import ExoPacket

struct TCPListenerState {
    let local: IPv4Endpoint
    /// Index of `local.address` among the stack's addresses.
    let localIndex: Int
    let options: TCPConnectionOptions
    /// Established connections not yet accepted, oldest first.
    var acceptQueue: FixedQueue<SlotHandle>
    /// Connections of this listener in SYN-RECEIVED.
    var halfOpen = 0
    var acceptableAnnounced = false
    /// When this listener last answered a SYN with a cookie: while its cookies may still be
    /// redeemed, an ACK that fails the check may be a genuine connection's, so it draws no reset.
    var lastCookieSent: Instant?

    init(local: IPv4Endpoint, localIndex: Int, options: TCPConnectionOptions, backlog: Int) {
        self.local = local
        self.localIndex = localIndex
        self.options = options
        acceptQueue = FixedQueue(capacity: max(backlog, 1), filler: SlotHandle(index: 0, generation: 0))
    }

    /// The accept queue is full: further SYNs are dropped (the peer retries), as Linux does.
    var isSaturated: Bool { acceptQueue.count >= acceptQueue.capacity }

    /// A cookie of this listener made before `now` could still be redeemed (1 to 2 minutes).
    func mayHaveLiveCookies(now: Instant) -> Bool {
        guard let sent = lastCookieSent else { return false }
        return now - sent < SYNCookies.lifetime
    }

    static let vacant = TCPListenerState(
        local: IPv4Endpoint(address: .any, port: 0), localIndex: 0, options: TCPConnectionOptions(), backlog: 1)
}
