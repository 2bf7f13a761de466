// One holding as the daemon reports it to its holder: which frame, which holding, the
// holding's epoch and rights. Carried by allocated, mapped and redeemed replies.

/// A session's claim on one frame, as returned by allocate, map and redeem.
public struct HoldingInfo: Equatable, Sendable {
    public var frame: FrameNumber
    public var holding: HoldingID
    /// Generation of the holding; tokens derived from an ended holding no longer verify.
    public var epoch: UInt64
    /// Always well formed (`Rights.isWellFormed`) on the wire.
    public var rights: Rights

    public init(frame: FrameNumber, holding: HoldingID, epoch: UInt64, rights: Rights) {
        self.frame = frame
        self.holding = holding
        self.epoch = epoch
        self.rights = rights
    }
}

extension HoldingInfo: WireRepresentable {
    init(parsing reader: inout WireReader) throws(WireDecodeError) {
        frame = try reader.read()
        holding = try reader.read()
        epoch = try reader.read()
        rights = try reader.readRights(field: "holding.rights")
    }

    func emit(into writer: inout WireWriter) throws(WireEncodeError) {
        writer.write(frame)
        writer.write(holding)
        writer.write(epoch)
        try writer.writeRights(rights, field: "holding.rights")
    }
}
