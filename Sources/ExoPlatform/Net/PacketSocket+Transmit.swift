// Batched transmit: frames staged into preallocated slots, then sent with one sendmmsg,
// each behind a zero virtio-net header; per-frame success is kept until the next batch.
import CExoShims
import Glibc

/// The transmit slots of one `PacketSocket`: `count` buffers of `slotSize` bytes, their
/// lengths and the per-frame outcome of the last flush. Allocated once, freed on deinit.
///
/// Invariant: `pointers[i]` is slot i's base (inside `storage`) for every i < count;
/// `lengths[i] <= slotSize` for every staged i; `staged <= count`.
final class PacketTransmitSlots {
    let slotSize: Int
    let count: Int
    let storage: UnsafeMutableRawBufferPointer
    let pointers: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    let lengths: UnsafeMutablePointer<UInt32>
    let sent: UnsafeMutablePointer<Bool>
    /// Ten zero bytes: "no offload" as a virtio-net header, sent before every frame.
    let zeroHeader: UnsafeMutableRawPointer
    var staged = 0
    var flushed = 0

    init(slotSize: Int, count: Int) {
        self.slotSize = slotSize
        self.count = count
        storage = .allocate(byteCount: slotSize * count, alignment: 64)
        pointers = .allocate(capacity: count)
        lengths = .allocate(capacity: count)
        sent = .allocate(capacity: count)
        for index in 0..<count {
            pointers[index] = storage.baseAddress! + index * slotSize
            lengths[index] = 0
            sent[index] = false
        }
        zeroHeader = .allocate(byteCount: Int(CEXO_VIRTIO_NET_HDR_LEN), alignment: 16)
        zeroHeader.initializeMemory(as: UInt8.self, repeating: 0, count: Int(CEXO_VIRTIO_NET_HDR_LEN))
    }

    deinit {
        storage.deallocate()
        pointers.deallocate()
        lengths.deallocate()
        sent.deallocate()
        zeroHeader.deallocate()
    }
}

/// What one `flushTransmit()` did.
public struct PacketTransmitOutcome: Sendable, Equatable {
    /// Frames the kernel accepted.
    public var sent: Int
    /// Their bytes (virtio-net headers not counted).
    public var sentBytes: Int
    /// Frames it refused (each marked in `PacketSocket.didSend(_:)`).
    public var failed: Int
    /// The errno of the last refusal (0 if none): EMSGSIZE for a frame over the link's MTU,
    /// ENETDOWN for a link that is down, ENXIO for a deleted one, EAGAIN when the socket's
    /// send buffer was full (the rest of the batch then fails with it).
    public var lastErrno: Int32

    public init(sent: Int, sentBytes: Int, failed: Int, lastErrno: Int32) {
        self.sent = sent
        self.sentBytes = sentBytes
        self.failed = failed
        self.lastErrno = lastErrno
    }
}

extension PacketSocket {
    /// Bytes one transmit slot holds.
    public var transmitSlotSize: Int { transmit.slotSize }
    /// Frames staged and not yet flushed.
    public var stagedCount: Int { transmit.staged }
    /// Whether another frame can be staged before a flush.
    public var canStage: Bool { transmit.staged < transmit.count }

    /// The next free slot, to write one frame into; commit it with `stage(length:)`.
    /// Precondition: `canStage`. The buffer is this socket's and valid until it is flushed.
    public func nextSlot() -> UnsafeMutableRawBufferPointer {
        precondition(transmit.staged < transmit.count, "transmit batch full: flush first")
        return UnsafeMutableRawBufferPointer(start: transmit.pointers[transmit.staged], count: transmit.slotSize)
    }

    /// Commits the slot `nextSlot()` returned as a frame of `length` bytes (14 through
    /// `transmitSlotSize`). Returns its index in the batch, for `didSend(_:)` after the flush.
    @discardableResult
    public func stage(length: Int) -> Int {
        precondition(length >= 14 && length <= transmit.slotSize && transmit.staged < transmit.count)
        let index = transmit.staged
        transmit.lengths[index] = UInt32(length)
        transmit.staged += 1
        return index
    }

    /// Sends every staged frame with as few `sendmmsg` calls as the kernel allows (one when
    /// all succeed; after a refusal, the rest again from the frame after it). Never blocks.
    /// Allocates nothing.
    public func flushTransmit() -> PacketTransmitOutcome {
        let total = transmit.staged
        var outcome = PacketTransmitOutcome(sent: 0, sentBytes: 0, failed: 0, lastErrno: 0)
        var start = 0
        while start < total {
            let result = cexo_packet_send_batch(
                fd, transmit.zeroHeader, Int(CEXO_VIRTIO_NET_HDR_LEN), transmit.pointers + start,
                transmit.lengths + start, UInt32(total - start))
            if result > 0 {
                for index in start..<(start + Int(result)) {
                    transmit.sent[index] = true
                    outcome.sentBytes += Int(transmit.lengths[index])
                }
                outcome.sent += Int(result)
                start += Int(result)
                continue
            }
            let error = result == 0 ? EIO : Glibc.errno
            outcome.lastErrno = error
            // A full send buffer refuses the rest alike; any other error is this frame's own.
            let end = error == EAGAIN || error == EWOULDBLOCK || error == ENOBUFS ? total : start + 1
            for index in start..<end { transmit.sent[index] = false }
            outcome.failed += end - start
            start = end
        }
        transmit.flushed = total
        transmit.staged = 0
        return outcome
    }

    /// Whether frame `index` of the last flushed batch was sent.
    public func didSend(_ index: Int) -> Bool {
        index >= 0 && index < transmit.flushed && transmit.sent[index]
    }

    /// Sends `frame` alone, at once, straight from the caller's memory (borrowed for the
    /// call): for the daemon's own rare replies (ARP, echo). Staged frames are not touched.
    /// Returns whether the kernel accepted it.
    public func sendNow(_ frame: UnsafeRawBufferPointer) -> Bool {
        guard frame.count >= 14, let base = frame.baseAddress else { return false }
        var pointer: UnsafeMutableRawPointer? = UnsafeMutableRawPointer(mutating: base)
        var length = UInt32(frame.count)
        return cexo_packet_send_batch(fd, transmit.zeroHeader, Int(CEXO_VIRTIO_NET_HDR_LEN), &pointer, &length, 1) == 1
    }
}
