// A tenant's attached session: allocate, unref, map, grant and redeem frames over the
// control socket. Safe to share among tasks; each call is one request and its reply.

import ExoPlatform
import ExoWire

/// An attached tenant session. Sendable: calls from several tasks interleave safely, each
/// waiting for its own reply. The session owns its control socket: `close()` (or releasing
/// the last reference) ends it, and the daemon then drops every holding of this session.
public final class ExoSession: Sendable {
    /// What the daemon told us at attach: version, session and tenant ids, frame size, quota.
    public let info: HelloAccepted
    let channel: ControlChannel

    init(channel: ControlChannel, info: HelloAccepted) {
        self.channel = channel
        self.info = info
    }

    deinit { channel.shutdown() }

    /// Events in arrival order (the newest 4096 are kept if nobody reads): `offersChanged` when
    /// offers addressed to this tenant arrived or died (at most one until `offers()` is called
    /// or a token redeemed), and `dataPathFault` reports. One consumer: iterating from several
    /// tasks splits events. Finishes when the session ends.
    public var events: AsyncStream<Event> { channel.events }

    /// Allocates exactly these frames, all or nothing (1...`WireLimits.maxBatch` per call).
    public func allocate(_ frames: [FrameNumber]) async throws(ExOSError) -> [HoldingInfo] {
        try await expectAllocated(channel.request(.allocate(frames: frames)))
    }

    /// Allocates any `count` free frames, all or nothing (1...`WireLimits.maxBatch`).
    public func allocateAny(count: Int) async throws(ExOSError) -> [HoldingInfo] {
        guard let wireCount = UInt32(exactly: count) else { throw .invalidRequest("count \(count) out of range") }
        return try await expectAllocated(channel.request(.allocateAny(count: wireCount)))
    }

    /// Ends this session's holdings of `frames`, all or nothing. Returns how many ended.
    /// Mappings already made stay valid memory but the frame is no longer ours.
    @discardableResult
    public func unref(_ frames: [FrameNumber]) async throws(ExOSError) -> Int {
        let reply = try await channel.request(.unref(frames: frames))
        guard case .unreffed(let count) = reply else { throw .unexpectedReply(reply, expected: "unreffed") }
        return Int(count)
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
        let delivery = try await channel.requestWithDescriptors(.map(frames: frames))
        guard case .mapped(let holdings) = delivery.reply else {
            throw .unexpectedReply(delivery.reply, expected: "mapped")
        }
        // On any throw below, `delivery.descriptors` and the frames mapped so far are released
        // (descriptors close, mappings unmap).
        guard holdings.count == delivery.descriptors.count else {
            throw .protocolViolation("map reply has \(holdings.count) entries but \(delivery.descriptors.count) descriptors")
        }
        guard holdings.map(\.frame) == frames else {
            throw .protocolViolation("map reply names frames \(holdings.map(\.frame)), asked for \(frames)")
        }
        var mapped: [MappedFrame] = []
        mapped.reserveCapacity(holdings.count)
        for (holding, descriptor) in zip(holdings, delivery.descriptors) {
            mapped.append(try MappedFrame(holding: holding, descriptor: descriptor, length: Int(info.frameSize)))
        }
        return mapped
    }

    /// Mints a token offering `frame` with `rights` (no wider than ours; needs `.grant`) to
    /// tenant `audience`. The offer dies unredeemed if our holding ends first.
    public func grant(frame: FrameNumber, rights: Rights, to audience: String) async throws(ExOSError) -> GrantedToken {
        let reply = try await channel.request(.grant(frame: frame, rights: rights, audience: audience))
        guard case .granted(let token, let tokenID) = reply else { throw .unexpectedReply(reply, expected: "granted") }
        return GrantedToken(bytes: token, tokenID: tokenID)
    }

    /// Redeems a token addressed to this tenant: we get an independent holding of our own.
    public func redeem(_ token: [UInt8]) async throws(ExOSError) -> HoldingInfo {
        let reply = try await channel.request(.redeem(token: token))
        guard case .redeemed(let holding) = reply else { throw .unexpectedReply(reply, expected: "redeemed") }
        return holding
    }

    /// One round trip with no effect.
    public func ping() async throws(ExOSError) {
        let reply = try await channel.request(.ping)
        guard case .pong = reply else { throw .unexpectedReply(reply, expected: "pong") }
    }

    /// Ends the session: pending and later calls fail with `.disconnected`, `events` finishes,
    /// the socket is closed, and the daemon drops this session's holdings. Idempotent.
    public func close() {
        channel.shutdown()
    }

    private func expectAllocated(_ reply: Reply) throws(ExOSError) -> [HoldingInfo] {
        guard case .allocated(let holdings) = reply else { throw .unexpectedReply(reply, expected: "allocated") }
        return holdings
    }
}
