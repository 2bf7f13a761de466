// The data path as the stack's device: received packets lent in place from their fill
// frames, transmitted frames written in place into transmit-pool frames. No copy between
// the rings and the stack beyond the stack's own (payloads into socket queues and back).

import ExoPacket

/// A ``NetworkDevice`` over a ``DataPath``. One receive call is one rx batch (one flush); sent
/// frames are staged on tx and published by `flush()` (the poll driver calls it once per
/// poll). Single-threaded, like the data path it drives.
public struct DataPathDevice: NetworkDevice {
    /// The data path (owned by the caller, who keeps it alive while the device is used).
    public let dataPath: DataPath

    /// The device over `dataPath`; its receive and transmit frames are the data path's.
    public init(dataPath: DataPath) {
        self.dataPath = dataPath
    }

    public var maximumFrameLength: Int { dataPath.frameSize }

    public mutating func receive(now: Instant, limit: Int, _ body: (PacketBytes) -> Void) -> Int {
        var batch = dataPath.receive(max: limit)
        var count = 0
        while let packet = batch.next() {
            packet.withBytes { span in PacketBytes.with(span, body) }
            packet.recycle()
            count += 1
        }
        return count
    }

    public mutating func transmit(now: Instant, _ body: (MutablePacketBytes) -> Int?) -> Bool {
        guard var slot = dataPath.transmitSlot() else { return false }
        let length = slot.withMutableBytes { span in
            span.withUnsafeMutableBytes { body(MutablePacketBytes(unsafeBuffer: $0)) }
        }
        if let length {
            slot.send(length: length)
        }
        // An unused slot is dropped here, which returns its frame to the pool.
        return true
    }

    public mutating func flush() {
        dataPath.flush()
    }
}
