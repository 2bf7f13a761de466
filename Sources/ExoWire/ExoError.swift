// The closed set of refusals the daemon can answer with. Each case is one wire error code
// (docs/PROTOCOL.md); codes are stable and never reused.
import ExoPacket

/// Every typed refusal of the control protocol. `rawValue` is the code on the wire.
public enum ExoError: UInt16, Error, Sendable, CaseIterable, CustomStringConvertible {
    // Framing and session errors (1-99). Those marked "closes" end the session.
    /// The message could not be decoded (bad magic, length, field). Closes the session.
    case malformedMessage = 1
    /// No protocol version in common. Closes the session.
    case unsupportedVersion = 2
    /// A request that needs an attached session arrived before the hello finished.
    case notAttached = 3
    /// The hello names a tenant this peer (uid/gid) may not be. Closes the session.
    case notPermitted = 4
    /// The message type is unknown to this daemon.
    case unknownRequest = 5
    /// The request needs operator rights (root or the operator group).
    case notOperator = 6
    /// The message carried file descriptors it must not carry (they were closed).
    case unexpectedDescriptors = 7
    /// A second hello on an attached session.
    case alreadyAttached = 8
    /// A batch or list longer than the protocol allows.
    case batchTooLarge = 9
    /// The daemon is at its connection limit (global or per uid). Closes the session.
    case tooManyConnections = 10
    /// The hello did not arrive in time. Closes the session.
    case handshakeTimeout = 11

    // Frame refusals (100-199). The session survives all of these.
    /// The frame is already allocated (held by someone).
    case alreadyAllocated = 100
    /// The caller's session holds no holding on that frame.
    case notHolder = 101
    /// The caller's holding lacks the grant right.
    case noGrantRight = 102
    /// Frame number outside the pool.
    case outOfRange = 103
    /// The tenant's frame quota would be exceeded.
    case overQuota = 104
    /// Not enough free frames for the request.
    case poolExhausted = 105
    /// The caller already holds this frame (a session holds a frame at most once).
    case alreadyHolder = 106
    /// Rights asked for exceed the rights held.
    case rightsExceeded = 107
    /// The frame is in flight on a ring; retry after the daemon returns it.
    case frameInFlight = 108
    /// The named tenant does not exist.
    case unknownTenant = 109
    /// A `revoke` asks for no frames, or its deadline is outside
    /// 1...`RevocationLimits.maxDeadlineMillis` milliseconds.
    case badRevocation = 110
    /// `revokeGrant` names no token that was redeemed from a grant of the caller's tenant and
    /// whose holding is still live.
    case noSuchGrant = 111

    // Capability refusals (200-299).
    /// The token does not verify (forged, corrupted, spliced, or from another daemon run).
    case invalidToken = 200
    /// The token is addressed to another tenant.
    case notAudience = 201
    /// The token was valid but its holding ended or it was already redeemed.
    case tokenRevoked = 202

    // Network refusals (300-399). The session survives all of these.
    /// Another session already bound that endpoint (or address).
    case endpointInUse = 300
    /// The configuration does not grant that endpoint or address to the caller's tenant.
    case notGranted = 301
    /// The caller's session has no such binding.
    case notBound = 302
    /// The session already opened its data path (one per session).
    case dataPathAlreadyOpen = 303
    /// The daemon has no NIC configured, so there is no data path to open.
    case noNic = 304
    /// The request needs the session's data path, which it has not opened.
    case noDataPath = 305
    /// The ring capacity is not a power of two in `RingLayout.capacityRange`.
    case badRingCapacity = 306

    // Filter refusals (310-319). The session survives all of these.
    /// A filter atom has an unknown base or a width other than 1, 2 or 4 bytes.
    case filterBadAtom = 310
    /// A filter atom reaches past the largest frame (offset + width > 9216).
    case filterOffsetTooLarge = 311
    /// A filter atom's value has bits its mask clears (or its mask bits past its width):
    /// it could never match.
    case filterValueOutsideMask = 312
    /// A filter needs 1 to 16 atoms.
    case filterAtomCount = 313
    /// The session already has as many filters installed as it may.
    case filterQuotaExceeded = 314
    /// An atom on a field the binding fixes (EtherType, IPv4 protocol, destination address
    /// or port) asks for another value: it would select another binding's traffic or nothing.
    case filterWidensBinding = 315
    /// Two atoms of the filter ask for different values of one bit: it could never match.
    case filterContradictory = 316
    /// The session installed no filter with that id.
    case noSuchFilter = 317
    // Capture refusals (320-329). The session survives all of these.
    /// The tenant to capture has no attached session (a capture ends with its last one).
    case tenantNotAttached = 320
    /// The daemon already runs as many captures as it allows at once.
    case tooManyCaptures = 321
    /// The snap length is outside 1...`CaptureLimits.maxSnapLength`.
    case badSnapLength = 322

    // Tenant limits (400-409): daemon state a tenant causes is bounded per tenant
    // (`[limits]` in the configuration; docs/SECURITY.md lists every bound).
    /// The caller's tenant already has `limits.tokens_issued` outstanding tokens.
    case tokenLimit = 400
    /// The audience already has `limits.offers_received` outstanding offers, or the caller's
    /// tenant already holds its share of them.
    case offerLimit = 401
    /// The tenant already has `limits.sessions` attached sessions. Closes the session.
    case sessionLimit = 402
    /// The tenant already has `limits.bindings` bindings.
    case bindingLimit = 403
    /// The tenant already has `limits.filters` filters installed.
    case filterLimit = 404
    /// The tenant's sessions have `limits.descriptors_in_flight` descriptors in replies they
    /// have not read yet; read them (or wait) and map again.
    case descriptorLimit = 405

    // Daemon-side failures (900-999).
    /// The daemon could not complete the request for a reason of its own (e.g. out of fds).
    case internalError = 900

    /// True for errors after which the daemon closes the session.
    public var closesSession: Bool {
        switch self {
        case .malformedMessage, .unsupportedVersion, .notPermitted, .tooManyConnections, .handshakeTimeout,
            .sessionLimit:
            return true
        default:
            return false
        }
    }

    /// The case's name, stable for scripts (`exoctl --json`) and tests.
    public var name: String {
        switch self {
        case .malformedMessage: "malformedMessage"
        case .unsupportedVersion: "unsupportedVersion"
        case .notAttached: "notAttached"
        case .notPermitted: "notPermitted"
        case .unknownRequest: "unknownRequest"
        case .notOperator: "notOperator"
        case .unexpectedDescriptors: "unexpectedDescriptors"
        case .alreadyAttached: "alreadyAttached"
        case .batchTooLarge: "batchTooLarge"
        case .tooManyConnections: "tooManyConnections"
        case .handshakeTimeout: "handshakeTimeout"
        case .alreadyAllocated: "alreadyAllocated"
        case .notHolder: "notHolder"
        case .noGrantRight: "noGrantRight"
        case .outOfRange: "outOfRange"
        case .overQuota: "overQuota"
        case .poolExhausted: "poolExhausted"
        case .alreadyHolder: "alreadyHolder"
        case .rightsExceeded: "rightsExceeded"
        case .frameInFlight: "frameInFlight"
        case .unknownTenant: "unknownTenant"
        case .badRevocation: "badRevocation"
        case .noSuchGrant: "noSuchGrant"
        case .invalidToken: "invalidToken"
        case .notAudience: "notAudience"
        case .tokenRevoked: "tokenRevoked"
        case .endpointInUse: "endpointInUse"
        case .notGranted: "notGranted"
        case .notBound: "notBound"
        case .dataPathAlreadyOpen: "dataPathAlreadyOpen"
        case .noNic: "noNic"
        case .noDataPath: "noDataPath"
        case .badRingCapacity: "badRingCapacity"
        case .filterBadAtom: "filterBadAtom"
        case .filterOffsetTooLarge: "filterOffsetTooLarge"
        case .filterValueOutsideMask: "filterValueOutsideMask"
        case .filterAtomCount: "filterAtomCount"
        case .filterQuotaExceeded: "filterQuotaExceeded"
        case .filterWidensBinding: "filterWidensBinding"
        case .filterContradictory: "filterContradictory"
        case .noSuchFilter: "noSuchFilter"
        case .tenantNotAttached: "tenantNotAttached"
        case .tooManyCaptures: "tooManyCaptures"
        case .badSnapLength: "badSnapLength"
        case .tokenLimit: "tokenLimit"
        case .offerLimit: "offerLimit"
        case .sessionLimit: "sessionLimit"
        case .bindingLimit: "bindingLimit"
        case .filterLimit: "filterLimit"
        case .descriptorLimit: "descriptorLimit"
        case .internalError: "internalError"
        }
    }

    public var description: String {
        switch self {
        case .malformedMessage: "malformed message"
        case .unsupportedVersion: "no common protocol version"
        case .notAttached: "session not attached"
        case .notPermitted: "peer may not attach as that tenant"
        case .unknownRequest: "unknown request type"
        case .notOperator: "operator rights required"
        case .unexpectedDescriptors: "message carried unexpected file descriptors"
        case .alreadyAttached: "session already attached"
        case .batchTooLarge: "batch too large"
        case .tooManyConnections: "too many connections"
        case .handshakeTimeout: "handshake timed out"
        case .alreadyAllocated: "frame already allocated"
        case .notHolder: "not a holder of that frame"
        case .noGrantRight: "holding lacks the grant right"
        case .outOfRange: "frame number out of range"
        case .overQuota: "frame quota exceeded"
        case .poolExhausted: "not enough free frames"
        case .alreadyHolder: "already a holder of that frame"
        case .rightsExceeded: "rights exceed those held"
        case .frameInFlight: "frame is in flight on a ring"
        case .unknownTenant: "no such tenant"
        case .badRevocation: "a revocation needs at least one frame and a deadline of 1 ms to 1 hour"
        case .noSuchGrant: "no live redeemed grant of your tenant has this token id"
        case .invalidToken: "invalid capability token"
        case .notAudience: "token is addressed to another tenant"
        case .tokenRevoked: "token revoked or already redeemed"
        case .endpointInUse: "endpoint already bound"
        case .notGranted: "endpoint not granted to this tenant"
        case .notBound: "no such binding"
        case .dataPathAlreadyOpen: "data path already open"
        case .noNic: "no NIC configured"
        case .noDataPath: "no data path open on this session"
        case .badRingCapacity: "ring capacity is not a power of two in range"
        case .filterBadAtom: "filter atom has an unknown base or a width other than 1, 2, 4"
        case .filterOffsetTooLarge: "filter atom reaches past the largest frame"
        case .filterValueOutsideMask: "filter atom value has bits outside its mask"
        case .filterAtomCount: "a filter needs 1 to 16 atoms"
        case .filterQuotaExceeded: "filter quota of the session exceeded"
        case .filterWidensBinding: "filter contradicts or widens the binding"
        case .filterContradictory: "filter atoms contradict each other"
        case .noSuchFilter: "no such filter"
        case .tenantNotAttached: "tenant has no attached session"
        case .tooManyCaptures: "too many captures running"
        case .badSnapLength: "snap length out of range"
        case .tokenLimit: "the tenant has as many outstanding tokens as it may"
        case .offerLimit: "the audience has as many outstanding offers as it may take from this tenant"
        case .sessionLimit: "the tenant has as many sessions as it may"
        case .bindingLimit: "the tenant has as many bindings as it may"
        case .filterLimit: "the tenant has as many filters as it may"
        case .descriptorLimit: "the tenant has as many unread descriptors as it may"
        case .internalError: "internal daemon error"
        }
    }
}
