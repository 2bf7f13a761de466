// The attach handshake's two bodies: the client's hello (versions, features, role, tenant
// name) and the daemon's acceptance (chosen version, session, pool and limits).

/// First message of every session. Its body layout is frozen across all versions, so a
/// daemon can read any client's hello and answer it; it decodes under any header version.
public struct Hello: Equatable, Sendable {
    /// Oldest and newest protocol versions the client speaks; `1 <= min <= max`.
    public var minVersion: UInt16
    public var maxVersion: UInt16
    /// Features the client offers.
    public var features: FeatureBits
    public var role: PeerRole
    /// The tenant to attach as (1 to 255 bytes); empty exactly when `role` is `.operator`.
    public var tenantName: String

    public init(
        minVersion: UInt16 = WireLimits.minVersion, maxVersion: UInt16 = WireLimits.maxVersion,
        features: FeatureBits = [], role: PeerRole, tenantName: String
    ) {
        self.minVersion = minVersion
        self.maxVersion = maxVersion
        self.features = features
        self.role = role
        self.tenantName = tenantName
    }
}

/// The daemon's answer to an acceptable hello: what was negotiated and the session's limits.
public struct HelloAccepted: Equatable, Sendable {
    /// The highest version both sides speak; every later message carries it.
    public var version: UInt16
    /// The intersection of the offered features and the daemon's.
    public var features: FeatureBits
    public var sessionID: SessionID
    /// The attached tenant, or `WireLimits.noTenant` for an operator session.
    public var tenantID: TenantID
    /// Bytes per frame.
    public var frameSize: UInt32
    /// Frames in the whole pool.
    public var poolFrames: UInt32
    /// Most frames this tenant may hold at once (0 for operators).
    public var frameQuota: UInt32
    /// Largest record the daemon accepts or sends.
    public var maxMessageSize: UInt32
    /// Most fds the daemon puts in one reply.
    public var maxDescriptorsPerMessage: UInt16

    public init(
        version: UInt16, features: FeatureBits, sessionID: SessionID, tenantID: TenantID,
        frameSize: UInt32, poolFrames: UInt32, frameQuota: UInt32,
        maxMessageSize: UInt32 = UInt32(WireLimits.maxMessageSize),
        maxDescriptorsPerMessage: UInt16 = UInt16(WireLimits.maxDescriptorsPerMessage)
    ) {
        self.version = version
        self.features = features
        self.sessionID = sessionID
        self.tenantID = tenantID
        self.frameSize = frameSize
        self.poolFrames = poolFrames
        self.frameQuota = frameQuota
        self.maxMessageSize = maxMessageSize
        self.maxDescriptorsPerMessage = maxDescriptorsPerMessage
    }
}

extension Hello: WireRepresentable {
    init(parsing reader: inout WireReader) throws(WireDecodeError) {
        minVersion = try reader.read()
        maxVersion = try reader.read()
        guard minVersion >= 1, minVersion <= maxVersion else { throw .badValue("hello.versions") }
        features = FeatureBits(rawValue: try reader.read())
        guard let role = PeerRole(rawValue: try reader.read()) else { throw .badValue("hello.role") }
        self.role = role
        let allowed = role == .tenant ? FieldRange.name : 0...0
        tenantName = try reader.readString(field: "hello.tenantName", allowed: allowed)
    }

    func emit(into writer: inout WireWriter) throws(WireEncodeError) {
        guard minVersion >= 1, minVersion <= maxVersion else { throw .badValue("hello.versions") }
        writer.write(minVersion)
        writer.write(maxVersion)
        writer.write(features.rawValue)
        writer.write(role.rawValue)
        let allowed = role == .tenant ? FieldRange.name : 0...0
        try writer.writeString(tenantName, field: "hello.tenantName", allowed: allowed)
    }
}

extension HelloAccepted: WireRepresentable {
    init(parsing reader: inout WireReader) throws(WireDecodeError) {
        version = try reader.read()
        features = FeatureBits(rawValue: try reader.read())
        sessionID = try reader.read()
        tenantID = try reader.read()
        frameSize = try reader.read()
        poolFrames = try reader.read()
        frameQuota = try reader.read()
        maxMessageSize = try reader.read()
        maxDescriptorsPerMessage = try reader.read()
    }

    func emit(into writer: inout WireWriter) {
        writer.write(version)
        writer.write(features.rawValue)
        writer.write(sessionID)
        writer.write(tenantID)
        writer.write(frameSize)
        writer.write(poolFrames)
        writer.write(frameQuota)
        writer.write(maxMessageSize)
        writer.write(maxDescriptorsPerMessage)
    }
}
