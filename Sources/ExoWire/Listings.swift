// What operator queries return: the daemon's status and paged listings of tenants,
// allocated frames and outstanding capability tokens.

/// Where a listing resumes and how many entries to return. Start at cursor 0; continue
/// with the previous page's `nextCursor`.
public struct Page: Equatable, Sendable {
    public var cursor: UInt32
    /// Entries wanted, 1 to `WireLimits.maxPageSize`.
    public var limit: UInt16

    public init(cursor: UInt32 = 0, limit: UInt16 = UInt16(WireLimits.maxPageSize)) {
        self.cursor = cursor
        self.limit = limit
    }
}

/// One page of a listing: at most `WireLimits.maxPageSize` entries, and where to resume.
public struct ListingPage<Entry: Equatable & Sendable>: Equatable, Sendable {
    public var entries: [Entry]
    /// The cursor of the next page, or nil when this page is the last.
    public var nextCursor: UInt32?

    public init(entries: [Entry], nextCursor: UInt32?) {
        self.entries = entries
        self.nextCursor = nextCursor
    }
}

/// The daemon's counters, answered to `status`.
public struct StatusInfo: Equatable, Sendable {
    /// Free text, at most `WireLimits.maxTextSize` bytes.
    public var daemonVersion: String
    public var protocolVersion: UInt16
    public var pid: UInt32
    public var uptimeSeconds: UInt64
    public var poolFrames: UInt32
    public var frameSize: UInt32
    public var freeFrames: UInt32
    public var tenantsConfigured: UInt32
    public var sessions: UInt32
    public var holdings: UInt32
    public var outstandingTokens: UInt32

    public init(
        daemonVersion: String, protocolVersion: UInt16, pid: UInt32, uptimeSeconds: UInt64,
        poolFrames: UInt32, frameSize: UInt32, freeFrames: UInt32, tenantsConfigured: UInt32,
        sessions: UInt32, holdings: UInt32, outstandingTokens: UInt32
    ) {
        self.daemonVersion = daemonVersion
        self.protocolVersion = protocolVersion
        self.pid = pid
        self.uptimeSeconds = uptimeSeconds
        self.poolFrames = poolFrames
        self.frameSize = frameSize
        self.freeFrames = freeFrames
        self.tenantsConfigured = tenantsConfigured
        self.sessions = sessions
        self.holdings = holdings
        self.outstandingTokens = outstandingTokens
    }
}

/// One configured tenant and its current use.
public struct TenantInfo: Equatable, Sendable {
    public var id: TenantID
    public var name: String
    public var frameQuota: UInt32
    public var framesHeld: UInt32
    public var sessions: UInt32
    /// Unix uids allowed to attach as this tenant.
    public var uids: [UInt32]
    /// Every kind of daemon state charged to the tenant, with its limit (SECURITY.md).
    public var usage: [ResourceUsage]

    public init(
        id: TenantID, name: String, frameQuota: UInt32, framesHeld: UInt32, sessions: UInt32, uids: [UInt32],
        usage: [ResourceUsage] = []
    ) {
        self.id = id
        self.name = name
        self.frameQuota = frameQuota
        self.framesHeld = framesHeld
        self.sessions = sessions
        self.uids = uids
        self.usage = usage
    }
}

/// One holding of an allocated frame, as an operator sees it.
public struct FrameHolderInfo: Equatable, Sendable {
    public var tenant: TenantID
    public var tenantName: String
    public var session: SessionID
    public var holding: HoldingID
    public var rights: Rights

    public init(tenant: TenantID, tenantName: String, session: SessionID, holding: HoldingID, rights: Rights) {
        self.tenant = tenant
        self.tenantName = tenantName
        self.session = session
        self.holding = holding
        self.rights = rights
    }
}

/// One allocated frame (free frames are not listed) and everyone holding it.
public struct FrameInfo: Equatable, Sendable {
    public var frame: FrameNumber
    public var epoch: UInt64
    /// References on rings not yet handed back.
    public var inFlight: UInt32
    public var holders: [FrameHolderInfo]

    public init(frame: FrameNumber, epoch: UInt64, inFlight: UInt32, holders: [FrameHolderInfo]) {
        self.frame = frame
        self.epoch = epoch
        self.inFlight = inFlight
        self.holders = holders
    }
}

/// One outstanding (issued, not yet redeemed) capability token. The token bytes are never
/// listed, only its id.
public struct CapabilityInfo: Equatable, Sendable {
    public var tokenID: UInt64
    public var frame: FrameNumber
    public var rights: Rights
    public var issuerTenant: String
    public var issuerHolding: HoldingID
    public var audienceTenant: String

    public init(
        tokenID: UInt64, frame: FrameNumber, rights: Rights, issuerTenant: String,
        issuerHolding: HoldingID, audienceTenant: String
    ) {
        self.tokenID = tokenID
        self.frame = frame
        self.rights = rights
        self.issuerTenant = issuerTenant
        self.issuerHolding = issuerHolding
        self.audienceTenant = audienceTenant
    }
}
