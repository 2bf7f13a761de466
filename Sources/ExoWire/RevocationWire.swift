// Visible revocation on the wire (docs/PROTOCOL.md §12): the daemon asks a tenant to give
// frames back by a deadline (`revocationRequested`), the tenant says when it has
// (`revocationDone`, answered with what it still holds), and past the deadline the daemon
// takes what it must and says which (`repossessed`). An operator starts one with `revoke`.

/// A revocation the daemon asks a tenant's sessions to comply with.
public struct RevocationNotice: Equatable, Sendable {
    /// Names this revocation in `revocationDone` and in the `repossessed` that may follow.
    public var id: UInt64
    /// Why: 1 the pool ran low, 2 an operator asked, 3 a reload shrank the quota, 4 the grant
    /// this tenant redeemed was revoked. Unknown values are carried, not rejected.
    public var reason: UInt16
    /// The most frames the tenant (all its sessions together) may hold once it has complied.
    public var target: UInt32
    /// What the tenant held when the daemon asked.
    public var held: UInt32
    /// Milliseconds from when the daemon sent this until it takes frames itself.
    public var deadlineMillis: UInt32
    /// A revoked grant (reason 4): the frames whose holdings (made by redeeming the grant) must
    /// end; `target` means nothing then. Empty for the other reasons.
    public var frames: [FrameNumber]

    public init(
        id: UInt64, reason: UInt16, target: UInt32, held: UInt32, deadlineMillis: UInt32, frames: [FrameNumber] = []
    ) {
        self.id = id
        self.reason = reason
        self.target = target
        self.held = held
        self.deadlineMillis = deadlineMillis
        self.frames = frames
    }
}

/// What the abort protocol took from one session of a tenant that did not comply in time.
public struct RepossessionNotice: Equatable, Sendable {
    /// Most frames one event names; more are named in further events with the same id.
    public static let maxFrames = 4096

    /// The revocation that was not met.
    public var id: UInt64
    /// Frames this session no longer holds: its mappings of them read zeros now, and what it
    /// writes there reaches no frame of the pool.
    public var frames: [FrameNumber]
    /// Frames also taken that were on this session's rings: taken as they come back (they
    /// never come back to the tenant). Named in a later `repossessed` with the same id.
    public var condemned: UInt32

    public init(id: UInt64, frames: [FrameNumber], condemned: UInt32) {
        self.id = id
        self.frames = frames
        self.condemned = condemned
    }
}

/// The answer to `revocationDone`.
public struct RevocationSettlement: Equatable, Sendable {
    /// Frames the tenant holds now.
    public var held: UInt32
    /// True when the revocation is met (the tenant holds at most its target) or no longer
    /// pending (met earlier, or past its deadline); false while the tenant still holds more.
    public var met: Bool

    public init(held: UInt32, met: Bool) {
        self.held = held
        self.met = met
    }
}

/// The answer to an operator's `revoke`.
public struct RevocationStarted: Equatable, Sendable {
    /// The revocation's id; 0 when nothing had to be asked (the tenant already held at most
    /// the target).
    public var id: UInt64
    /// Frames the tenant may hold once it complies: what it held less the frames asked for,
    /// never below its guaranteed floor (and tightened by a revocation already pending).
    public var target: UInt32
    /// What the tenant held when asked.
    public var held: UInt32

    public init(id: UInt64, target: UInt32, held: UInt32) {
        self.id = id
        self.target = target
        self.held = held
    }
}

extension RevocationNotice: WireRepresentable {
    init(parsing reader: inout WireReader) throws(WireDecodeError) {
        id = try reader.read()
        reason = try reader.read()
        target = try reader.read()
        held = try reader.read()
        deadlineMillis = try reader.read()
        frames = try reader.readList(field: "revocationRequested.frames", allowed: 0...WireLimits.maxBatch)
    }

    func emit(into writer: inout WireWriter) throws(WireEncodeError) {
        writer.write(id)
        writer.write(reason)
        writer.write(target)
        writer.write(held)
        writer.write(deadlineMillis)
        try writer.writeList(frames, field: "revocationRequested.frames", allowed: 0...WireLimits.maxBatch)
    }
}

extension RepossessionNotice: WireRepresentable {
    init(parsing reader: inout WireReader) throws(WireDecodeError) {
        id = try reader.read()
        frames = try reader.readList(field: "repossessed.frames", allowed: 0...Self.maxFrames)
        condemned = try reader.read()
    }

    func emit(into writer: inout WireWriter) throws(WireEncodeError) {
        writer.write(id)
        try writer.writeList(frames, field: "repossessed.frames", allowed: 0...Self.maxFrames)
        writer.write(condemned)
    }
}

extension RevocationSettlement: WireRepresentable {
    init(parsing reader: inout WireReader) throws(WireDecodeError) {
        held = try reader.read()
        met = try reader.readBool(field: "revocationSettled.met")
    }

    func emit(into writer: inout WireWriter) throws(WireEncodeError) {
        writer.write(held)
        writer.writeBool(met)
    }
}

extension RevocationStarted: WireRepresentable {
    init(parsing reader: inout WireReader) throws(WireDecodeError) {
        id = try reader.read()
        target = try reader.read()
        held = try reader.read()
    }

    func emit(into writer: inout WireWriter) throws(WireEncodeError) {
        writer.write(id)
        writer.write(target)
        writer.write(held)
    }
}

/// Bounds on a revocation's deadline.
public enum RevocationLimits {
    /// The longest deadline an operator may give (an hour): a revocation is for now, not for
    /// later; a quota change is for that.
    public static let maxDeadlineMillis: UInt32 = 3_600_000
    /// The deadline `exoctl revoke` asks for unless told otherwise, and the one the daemon
    /// gives a tenant whose quota a reload shrank.
    public static let defaultDeadlineMillis: UInt32 = 2_000
}

/// The memory of frames this session holds moved (a grant of them was revoked from another
/// holder): mappings made before this event may still be shared with that holder, so the
/// session must map the frames again before it uses them. Contents were copied.
public struct FramesMoved: Equatable, Sendable {
    /// Most frames one event names.
    public static let maxFrames = 4096
    public var frames: [FrameNumber]

    public init(frames: [FrameNumber]) { self.frames = frames }
}

extension FramesMoved: WireRepresentable {
    init(parsing reader: inout WireReader) throws(WireDecodeError) {
        frames = try reader.readList(field: "framesMoved.frames", allowed: 1...Self.maxFrames)
    }

    func emit(into writer: inout WireWriter) throws(WireEncodeError) {
        try writer.writeList(frames, field: "framesMoved.frames", allowed: 1...Self.maxFrames)
    }
}
