// An operator's attached session: read-only queries of the daemon's state, each listing
// fetched in full by following page cursors.

import ExoWire

/// An attached operator session (root or the operator group). Sendable; owns its socket like
/// `ExoSession` (closed by `close()` or when released).
public final class OperatorSession: Sendable {
    public let info: HelloAccepted
    let channel: ControlChannel

    init(channel: ControlChannel, info: HelloAccepted) {
        self.channel = channel
        self.info = info
    }

    deinit { channel.shutdown() }

    /// Pool, sessions and token counts.
    public func status() async throws(ExOSError) -> StatusInfo {
        let reply = try await channel.request(.status)
        guard case .status(let status) = reply else { throw .unexpectedReply(reply, expected: "status") }
        return status
    }

    /// Every configured tenant (all pages).
    public func tenants() async throws(ExOSError) -> [TenantInfo] {
        try await PageCollector.collect { (page: Page) async throws(ExOSError) -> ListingPage<TenantInfo> in
            let reply = try await channel.request(.tenants(page))
            guard case .tenants(let listing) = reply else { throw .unexpectedReply(reply, expected: "tenants") }
            return listing
        }
    }

    /// Every allocated frame, or those `tenant` holds (all pages).
    public func frames(tenant: String? = nil) async throws(ExOSError) -> [FrameInfo] {
        try await PageCollector.collect { (page: Page) async throws(ExOSError) -> ListingPage<FrameInfo> in
            let reply = try await channel.request(.frames(tenant: tenant, page: page))
            guard case .frames(let listing) = reply else { throw .unexpectedReply(reply, expected: "frames") }
            return listing
        }
    }

    /// Every outstanding (unredeemed) capability token, or those `tenant` issued or may redeem.
    public func capabilities(tenant: String? = nil) async throws(ExOSError) -> [CapabilityInfo] {
        try await PageCollector.collect { (page: Page) async throws(ExOSError) -> ListingPage<CapabilityInfo> in
            let reply = try await channel.request(.capabilities(tenant: tenant, page: page))
            guard case .capabilities(let listing) = reply else {
                throw .unexpectedReply(reply, expected: "capabilities")
            }
            return listing
        }
    }

    /// One round trip with no effect.
    public func ping() async throws(ExOSError) {
        let reply = try await channel.request(.ping)
        guard case .pong = reply else { throw .unexpectedReply(reply, expected: "pong") }
    }

    /// Events sent to this session (operators currently receive none); finishes at close.
    public var events: AsyncStream<Event> { channel.events }

    /// Ends the session and closes the socket. Idempotent.
    public func close() {
        channel.shutdown()
    }
}
