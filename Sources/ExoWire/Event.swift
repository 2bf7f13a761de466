// Unsolicited daemon-to-client messages: capability offers to an audience, the death of an
// offer, and data-path faults. They carry request id 0 and are never answered.

/// Why a holding ended (for revocation events of later versions; not on the wire in v1).
public enum EndReason: UInt8, Sendable, CaseIterable {
    case unreffed = 1
    case holderDied = 2
    case revoked = 3
}

/// A message the daemon sends on its own, with request id 0.
public enum Event: Equatable, Sendable {
    /// No longer sent (offers are listed with `Request.offers`); decodable for old peers.
    /// The token (1 to `maxTokenSize` bytes) is redeemed with `Request.redeem`.
    case offer(token: [UInt8], tokenID: UInt64, frame: FrameNumber, rights: Rights, fromTenant: String)
    /// No longer sent (a revoked offer leaves the `offers` listing); decodable for old peers.
    case tokenRevoked(tokenID: UInt64)
    /// The daemon refused a descriptor this session posted on its fill or tx ring (`reason`
    /// is a `DataPathFaultReason` raw value; unknown values are carried, not rejected).
    /// `coalesced` more faults happened since the previous report and are not reported one
    /// by one (reports are rate-limited and never queue behind unread records).
    case dataPathFault(reason: UInt16, frame: FrameNumber, coalesced: UInt32)
    /// The offers addressed to this tenant changed (one arrived or died); `outstanding` is
    /// how many there are now. At most one is sent until the session lists its offers or
    /// redeems a token.
    case offersChanged(outstanding: UInt32)
    /// A frame of a capture this operator session started (`Request.capture`).
    case capturedFrame(CapturedPacket)
    /// A capture ended; no more of its frames follow.
    case captureEnded(CaptureEnd)
    /// A configuration reload changed this tenant's network grants: which of this session's
    /// bindings ended, and what the tenant is granted now. Coalesced like `offersChanged`.
    case grantsChanged(GrantsChange)
    /// The daemon asks this tenant to give frames back by a deadline (docs/PROTOCOL.md §12).
    /// Sent to every session of the tenant; never coalesced.
    case revocationRequested(RevocationNotice)
    /// The daemon took frames from this session: a revocation's deadline passed unmet.
    case repossessed(RepossessionNotice)
    /// The memory of frames this session holds moved: map them again before using them.
    case framesMoved(FramesMoved)

    /// The header kind of this event.
    public var kind: MessageKind {
        switch self {
        case .offer: .offer
        case .tokenRevoked: .tokenRevoked
        case .dataPathFault: .dataPathFault
        case .capturedFrame: .capturedFrame
        case .captureEnded: .captureEnded
        case .offersChanged: .offersChanged
        case .grantsChanged: .grantsChanged
        case .revocationRequested: .revocationRequested
        case .repossessed: .repossessed
        case .framesMoved: .framesMoved
        }
    }
}

extension Event {
    /// Parses the body of an event of `kind` (which must be an event kind).
    init(kind: MessageKind, parsing reader: inout WireReader) throws(WireDecodeError) {
        switch kind {
        case .offer:
            self = .offer(
                token: try reader.readToken(field: "offer.token"), tokenID: try reader.read(),
                frame: try reader.read(), rights: try reader.readRights(field: "offer.rights"),
                fromTenant: try reader.readName(field: "offer.fromTenant"))
        case .tokenRevoked: self = .tokenRevoked(tokenID: try reader.read())
        case .dataPathFault:
            self = .dataPathFault(reason: try reader.read(), frame: try reader.read(), coalesced: try reader.read())
        case .offersChanged: self = .offersChanged(outstanding: try reader.read())
        case .capturedFrame: self = .capturedFrame(try CapturedPacket(parsing: &reader))
        case .captureEnded: self = .captureEnded(try CaptureEnd(parsing: &reader))
        case .grantsChanged: self = .grantsChanged(try GrantsChange(parsing: &reader))
        case .revocationRequested: self = .revocationRequested(try RevocationNotice(parsing: &reader))
        case .repossessed: self = .repossessed(try RepossessionNotice(parsing: &reader))
        case .framesMoved: self = .framesMoved(try FramesMoved(parsing: &reader))
        default: throw .unknownKind(kind.rawValue)
        }
    }

    /// Appends this event's body.
    func emit(into writer: inout WireWriter) throws(WireEncodeError) {
        switch self {
        case .offer(let token, let tokenID, let frame, let rights, let fromTenant):
            try writer.writeToken(token, field: "offer.token")
            writer.write(tokenID)
            writer.write(frame)
            try writer.writeRights(rights, field: "offer.rights")
            try writer.writeName(fromTenant, field: "offer.fromTenant")
        case .tokenRevoked(let tokenID): writer.write(tokenID)
        case .dataPathFault(let reason, let frame, let coalesced):
            writer.write(reason)
            writer.write(frame)
            writer.write(coalesced)
        case .offersChanged(let outstanding): writer.write(outstanding)
        case .capturedFrame(let frame): try frame.emit(into: &writer)
        case .captureEnded(let end): end.emit(into: &writer)
        case .grantsChanged(let change): try change.emit(into: &writer)
        case .revocationRequested(let notice): try notice.emit(into: &writer)
        case .repossessed(let notice): try notice.emit(into: &writer)
        case .framesMoved(let moved): try moved.emit(into: &writer)
        }
    }
}
