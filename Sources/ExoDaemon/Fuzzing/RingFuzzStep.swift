// What a hostile tenant can do to its data path, as steps a fuzz target decodes from bytes:
// write any word of its shared ring region, write its frames, kick the daemon; and frames
// that arrive from the wire meanwhile.

import ExoWire

/// A header word of one ring (docs/RINGS.md): the tenant can write all of them, including
/// those only the daemon should write.
package enum RingHeaderWord: CaseIterable, Sendable {
    case producerIndex
    case consumerIndex
    case flags

    var byteOffset: Int {
        switch self {
        case .producerIndex: RingField.producerIndex.lowerBound
        case .consumerIndex: RingField.consumerIndex.lowerBound
        case .flags: RingField.flags.lowerBound
        }
    }
}

/// A value a step writes into a header word.
package enum RingWordValue: Sendable {
    /// Exactly this value.
    case absolute(UInt32)
    /// The word's current value moved by this much (wrapping): near-believable indices.
    case advance(Int8)
}

/// One step of a ring fuzz script.
package enum RingFuzzStep: Sendable {
    /// The tenant writes a header word of `ring`.
    case header(RingKind, RingHeaderWord, RingWordValue)
    /// The tenant writes the descriptor slot `slot` (masked to the ring) of `ring`.
    case descriptor(RingKind, slot: UInt32, RingDescriptor)
    /// The tenant writes `bytes` at the start of `frame`, if it holds that frame.
    case frameBytes(FrameNumber, bytes: [UInt8])
    /// The tenant kicks: the daemon serves its fill and tx rings (`DataPlane.transmit`).
    case kick
    /// A frame arrives from the wire: the daemon receives it (`DataPlane.receive`).
    case wire([UInt8])
}
