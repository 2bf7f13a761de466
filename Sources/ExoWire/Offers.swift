// Offers a tenant lists instead of receiving them as events: what another tenant granted it,
// with the token to redeem. And a tenant's use of one bounded resource, as operators see it.

/// One outstanding offer addressed to the caller's tenant (an entry of the `offers` reply).
public struct OfferInfo: Equatable, Sendable {
    /// The capability to pass to `Request.redeem` (1 to `maxTokenSize` bytes).
    public var token: [UInt8]
    /// The daemon's id of the token (listing order; `exoctl caps` shows it).
    public var tokenID: UInt64
    public var frame: FrameNumber
    /// Rights the redeemer's holding will carry.
    public var rights: Rights
    /// The issuing tenant's name.
    public var fromTenant: String

    public init(token: [UInt8], tokenID: UInt64, frame: FrameNumber, rights: Rights, fromTenant: String) {
        self.token = token
        self.tokenID = tokenID
        self.frame = frame
        self.rights = rights
        self.fromTenant = fromTenant
    }
}

/// A tenant's current use of one kind of daemon state against its limit, and how often the
/// limit refused or shed something since the daemon started.
public struct ResourceUsage: Equatable, Sendable {
    /// Stable name (`tokensIssued`, `offersReceived`, ...; docs/SECURITY.md lists them).
    public var resource: String
    public var used: UInt64
    public var limit: UInt64
    /// Requests refused, datagrams evicted or fault reports coalesced at the limit.
    public var refused: UInt64

    public init(resource: String, used: UInt64, limit: UInt64, refused: UInt64) {
        self.resource = resource
        self.used = used
        self.limit = limit
        self.refused = refused
    }
}

extension OfferInfo: WireRepresentable {
    init(parsing reader: inout WireReader) throws(WireDecodeError) {
        token = try reader.readToken(field: "offer.token")
        tokenID = try reader.read()
        frame = try reader.read()
        rights = try reader.readRights(field: "offer.rights")
        fromTenant = try reader.readName(field: "offer.fromTenant")
    }

    func emit(into writer: inout WireWriter) throws(WireEncodeError) {
        try writer.writeToken(token, field: "offer.token")
        writer.write(tokenID)
        writer.write(frame)
        try writer.writeRights(rights, field: "offer.rights")
        try writer.writeName(fromTenant, field: "offer.fromTenant")
    }
}

extension ResourceUsage: WireRepresentable {
    init(parsing reader: inout WireReader) throws(WireDecodeError) {
        resource = try reader.readName(field: "usage.resource")
        used = try reader.read()
        limit = try reader.read()
        refused = try reader.read()
    }

    func emit(into writer: inout WireWriter) throws(WireEncodeError) {
        try writer.writeName(resource, field: "usage.resource")
        writer.write(used)
        writer.write(limit)
        writer.write(refused)
    }
}
