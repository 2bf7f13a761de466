// An operator's attached session: read-only queries of the daemon's state, each listing
// fetched in full by following page cursors.

import ExoWire

/// An attached operator session (root or the operator group). Sendable; owns its socket
/// (closed by `close()` or when released).
public final class OperatorSession: Sendable {
    public let info: HelloAccepted
    let channel: ControlChannel

    init(channel: ControlChannel, info: HelloAccepted) {
        self.channel = channel
        self.info = info
    }

    deinit { channel.shutdown() }

    /// Connects to the control socket (`SocketPath.resolve(explicit: socketPath)`) and attaches
    /// as an operator (root or a member of the daemon's operator group).
    public static func attach(socketPath: String? = nil) async throws(ExoClientError) -> OperatorSession {
        let (channel, accepted) = try await ControlChannel.attach(role: .operator, tenantName: "", socketPath: socketPath)
        return OperatorSession(channel: channel, info: accepted)
    }

    /// Pool, sessions and token counts.
    public func status() async throws(ExoClientError) -> StatusInfo {
        try await channel.call(ControlCalls.status)
    }

    /// Every configured tenant (all pages).
    public func tenants() async throws(ExoClientError) -> [TenantInfo] {
        try await collect { page in ControlCalls.tenants(page) }
    }

    /// Every allocated frame, or those `tenant` holds (all pages).
    public func frames(tenant: String? = nil) async throws(ExoClientError) -> [FrameInfo] {
        try await collect { page in ControlCalls.frames(tenant: tenant, page: page) }
    }

    /// Every outstanding (unredeemed) capability token, or those `tenant` issued or may redeem.
    public func capabilities(tenant: String? = nil) async throws(ExoClientError) -> [CapabilityInfo] {
        try await collect { page in ControlCalls.capabilities(tenant: tenant, page: page) }
    }

    /// Every installed filter, or those of `tenant` (all pages), in installation order.
    public func filters(tenant: String? = nil) async throws(ExoClientError) -> [FilterInfo] {
        try await collect { page in ControlCalls.filters(tenant: tenant, page: page) }
    }

    /// One round trip with no effect.
    public func ping() async throws(ExoClientError) {
        try await channel.call(ControlCalls.ping)
    }

    /// Events sent to this session (operators currently receive none); finishes at close.
    public var events: AsyncStream<Event> { channel.events }

    /// Ends the session and closes the socket. Idempotent.
    public func close() {
        channel.shutdown()
    }

    /// Every entry of one paged listing, each page fetched with the call `makeCall` builds.
    func collect<Entry: Equatable & Sendable>(
        _ makeCall: (Page) -> ControlCall<ListingPage<Entry>>
    ) async throws(ExoClientError) -> [Entry] {
        try await PageCollector.collect { (page: Page) async throws(ExoClientError) -> ListingPage<Entry> in
            try await channel.call(makeCall(page))
        }
    }
}
