// The `impair` request's body: which traffic (the link or one tenant, which direction) and
// the faults to inject, as integers (probabilities in parts per million, times in ns).

/// Which direction of traffic an `impair` request sets.
public enum ImpairDirection: UInt8, Sendable, CaseIterable {
    /// Frames from the NIC to tenants (received).
    case toTenants = 1
    /// Frames from tenants to the NIC (sent).
    case fromTenants = 2
    /// Both directions, each with its own state and random stream.
    case both = 3
}

/// The faults of one direction, as the wire carries them. Probabilities are parts per
/// million (0...1_000_000); times are nanoseconds; all zero is a perfect link (impairment off).
public struct WireImpairmentProfile: Equatable, Sendable {
    public static let million: UInt32 = 1_000_000
    /// Independent loss per packet.
    public var lossPPM: UInt32 = 0
    /// Gilbert–Elliott burst loss: per-packet probability of entering the bad state; 0 for none.
    public var burstEnterPPM: UInt32 = 0
    /// Per-packet probability of leaving the bad state.
    public var burstLeavePPM: UInt32 = 0
    /// Loss in the good state and in the bad state.
    public var burstLossGoodPPM: UInt32 = 0
    public var burstLossBadPPM: UInt32 = 0
    public var duplicatePPM: UInt32 = 0
    public var reorderPPM: UInt32 = 0
    /// How long a reordered packet is held beyond its normal time (0: 1 ms).
    public var reorderGapNanoseconds: UInt64 = 0
    public var delayNanoseconds: UInt64 = 0
    public var jitterNanoseconds: UInt64 = 0
    public var corruptPPM: UInt32 = 0
    /// Link rate; 0 for unlimited.
    public var rateBitsPerSecond: UInt64 = 0
    /// Longest wait for the rate-limited link before a tail drop (0: 50 ms).
    public var queueLimitNanoseconds: UInt64 = 0

    public init() {}

    /// True when the profile injects nothing: the direction's impairment is off.
    public var isOff: Bool { self == WireImpairmentProfile() }

    /// The probability fields, named for error messages.
    public var probabilities: [(name: String, ppm: UInt32)] {
        [("loss", lossPPM), ("burstEnter", burstEnterPPM), ("burstLeave", burstLeavePPM),
         ("burstLossGood", burstLossGoodPPM), ("burstLossBad", burstLossBadPPM), ("duplicate", duplicatePPM),
         ("reorder", reorderPPM), ("corrupt", corruptPPM)]
    }
}

extension WireImpairmentProfile: WireRepresentable {
    init(parsing reader: inout WireReader) throws(WireDecodeError) {
        lossPPM = try reader.read()
        burstEnterPPM = try reader.read()
        burstLeavePPM = try reader.read()
        burstLossGoodPPM = try reader.read()
        burstLossBadPPM = try reader.read()
        duplicatePPM = try reader.read()
        reorderPPM = try reader.read()
        reorderGapNanoseconds = try reader.read()
        delayNanoseconds = try reader.read()
        jitterNanoseconds = try reader.read()
        corruptPPM = try reader.read()
        rateBitsPerSecond = try reader.read()
        queueLimitNanoseconds = try reader.read()
        for (name, value) in probabilities where value > Self.million { throw .badValue("impair.\(name)") }
    }

    func emit(into writer: inout WireWriter) throws(WireEncodeError) {
        for (name, value) in probabilities where value > Self.million { throw .badValue("impair.\(name)") }
        writer.write(lossPPM)
        writer.write(burstEnterPPM)
        writer.write(burstLeavePPM)
        writer.write(burstLossGoodPPM)
        writer.write(burstLossBadPPM)
        writer.write(duplicatePPM)
        writer.write(reorderPPM)
        writer.write(reorderGapNanoseconds)
        writer.write(delayNanoseconds)
        writer.write(jitterNanoseconds)
        writer.write(corruptPPM)
        writer.write(rateBitsPerSecond)
        writer.write(queueLimitNanoseconds)
    }
}
