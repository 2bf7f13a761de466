// A tenant's attached session: allocate, unref, map, grant and redeem frames over the
// control socket. Safe to share among tasks; each call is one request and its reply.

import ExoClient
import ExoPlatform
import ExoWire

/// An attached tenant session. Sendable: calls from several tasks interleave safely, each
/// waiting for its own reply. The session owns its control socket: `close()` (or releasing
/// the last reference) ends it, and the daemon then drops every holding of this session.
public final class ExoSession: Sendable {
    /// What the daemon told us at attach: version, session and tenant ids, frame size, quota.
    public let info: HelloAccepted
    /// The tenant this session attached as, and the control socket it used (nil: the
    /// default), so a library OS can attach again after a daemon restart.
    public let tenant: String
    public let socketPath: String?
    let channel: ControlChannel

    init(channel: ControlChannel, info: HelloAccepted, tenant: String, socketPath: String?) {
        self.channel = channel
        self.info = info
        self.tenant = tenant
        self.socketPath = socketPath
    }

    deinit { channel.shutdown() }

    /// Events in arrival order (the newest 4096 are kept if nobody reads): `offersChanged` when
    /// offers addressed to this tenant arrived or died (at most one until `offers()` is called
    /// or a token redeemed), and `dataPathFault` reports. One consumer: iterating from several
    /// tasks splits events. Finishes when the session ends.
    public var events: AsyncStream<Event> { channel.events }

    /// Allocates exactly these frames, all or nothing (1...`WireLimits.maxBatch` per call).
    public func allocate(_ frames: [FrameNumber]) async throws(ExOSError) -> [HoldingInfo] {
        try await channel.call(ControlCalls.allocate(frames))
    }

    /// Allocates any `count` free frames, all or nothing (1...`WireLimits.maxBatch`).
    public func allocateAny(count: Int) async throws(ExOSError) -> [HoldingInfo] {
        guard let wireCount = UInt32(exactly: count) else { throw .invalidRequest("count \(count) out of range") }
        return try await channel.call(ControlCalls.allocateAny(count: wireCount))
    }

    /// Ends this session's holdings of `frames`, all or nothing. Returns how many ended.
    /// Mappings already made stay valid memory but the frame is no longer ours.
    @discardableResult
    public func unref(_ frames: [FrameNumber]) async throws(ExOSError) -> Int {
        Int(try await channel.call(ControlCalls.unref(frames)))
    }

    /// Maps one held frame (see `map(_ frames:)`).
    public func map(_ frame: FrameNumber) async throws(ExOSError) -> MappedFrame {
        let mapped = try await map([frame])
        return mapped[0]
    }

    /// Maps held frames, in request order. The daemon sends one descriptor per frame; each is
    /// mapped (writable shared if the holding has `.write`, else read-only shared) and closed
    /// at once. A reply whose descriptor or entry count does not match the request is a
    /// `.protocolViolation`, and every received descriptor is closed.
    public func map(_ frames: [FrameNumber]) async throws(ExOSError) -> [MappedFrame] {
        let (holdings, descriptors) = try await channel.callWithDescriptors(ControlCalls.map(frames))
        // On any throw below, `descriptors` and the frames mapped so far are released
        // (descriptors close, mappings unmap).
        guard holdings.count == descriptors.count else {
            throw .protocolViolation("map reply has \(holdings.count) entries but \(descriptors.count) descriptors")
        }
        guard holdings.map(\.frame) == frames else {
            throw .protocolViolation("map reply names frames \(holdings.map(\.frame)), asked for \(frames)")
        }
        var mapped: [MappedFrame] = []
        mapped.reserveCapacity(holdings.count)
        for (holding, descriptor) in zip(holdings, descriptors) {
            mapped.append(try MappedFrame(holding: holding, descriptor: descriptor, length: Int(info.frameSize)))
        }
        return mapped
    }

    /// Mints a token offering `frame` with `rights` (no wider than ours; needs `.grant`) to
    /// tenant `audience`. The offer dies unredeemed if our holding ends first.
    public func grant(frame: FrameNumber, rights: Rights, to audience: String) async throws(ExOSError) -> GrantedToken {
        let granted = try await channel.call(ControlCalls.grant(frame: frame, rights: rights, audience: audience))
        return GrantedToken(bytes: granted.token, tokenID: granted.tokenID)
    }

    /// Redeems a token addressed to this tenant: we get an independent holding of our own.
    public func redeem(_ token: [UInt8]) async throws(ExOSError) -> HoldingInfo {
        try await channel.call(ControlCalls.redeem(token))
    }

    /// Why the session ended, nil while it is open: `.disconnected` when the daemon went away
    /// (or `close()` was called), `.refused(code, detail:)` when the daemon ended it with a
    /// final notice (an operator's kick or a reload: `notPermitted`; docs/PROTOCOL.md §13).
    public var endReason: ExOSError? { channel.endReason }

    /// One round trip with no effect.
    public func ping() async throws(ExOSError) {
        try await channel.call(ControlCalls.ping)
    }

    /// Ends the session: pending and later calls fail with `.disconnected`, `events` finishes,
    /// the socket is closed, and the daemon drops this session's holdings. Idempotent.
    public func close() {
        channel.shutdown()
    }
}
