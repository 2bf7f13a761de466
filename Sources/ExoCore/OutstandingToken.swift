// What the arbiter remembers about a token it issued and that was not yet redeemed, and what
// `grant` hands back: the token's bytes plus that record.
import ExoWire

/// A token that can still be redeemed. It stops being outstanding when redeemed (single use),
/// when its issuer holding ends, or when its audience tenant's last session closes.
public struct OutstandingToken: Sendable, Equatable {
    /// Unique within a daemon run; never reused.
    public var tokenID: UInt64
    public var frame: FrameNumber
    /// Rights the redeemer's holding will carry.
    public var rights: Rights
    public var issuerTenant: TenantID
    public var issuerSession: SessionID
    /// The holding the token was derived from; ending it revokes the token.
    public var issuerHolding: HoldingID
    /// The only tenant whose sessions may redeem the token.
    public var audience: TenantID

    public init(
        tokenID: UInt64, frame: FrameNumber, rights: Rights, issuerTenant: TenantID,
        issuerSession: SessionID, issuerHolding: HoldingID, audience: TenantID
    ) {
        self.tokenID = tokenID
        self.frame = frame
        self.rights = rights
        self.issuerTenant = issuerTenant
        self.issuerSession = issuerSession
        self.issuerHolding = issuerHolding
        self.audience = audience
    }
}

/// The result of a grant. `bytes` (`CapabilityToken.byteCount` long) are the capability
/// itself: whoever the caller passes them to can redeem them if it is a session of `audience`.
public struct IssuedToken: Sendable, Equatable {
    public var bytes: [UInt8]
    public var info: OutstandingToken

    public init(bytes: [UInt8], info: OutstandingToken) {
        self.bytes = bytes
        self.info = info
    }
}
