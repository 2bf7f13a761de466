// Ready-made frames the stack sends before any socket's: ARP requests and replies, ICMP
// answers and errors, and TCP segments built from a received one alone (resets, SYN cookies).
// Generated on receive, which is lent no transmit buffer, they wait here, bounded, in order.

import ExoPacket

/// The stack's queue of ready-made frames: one byte buffer allocated when the stack is made.
struct ControlFrames {
    private var queue: PacketQueue<Void>

    init(frames: Int, maximumFrameLength: Int) {
        queue = PacketQueue(packets: frames, bytes: frames * maximumFrameLength, filler: ())
    }

    @inline(__always) var isEmpty: Bool { queue.isEmpty }

    /// Appends a frame of `length` bytes that `fill` writes; false (counted
    /// `tx.controlQueueFull`) when the queue is full.
    mutating func enqueue(length: Int, counters: inout StackCounters, _ fill: (MutablePacketBytes) -> Void) -> Bool {
        guard queue.enqueue(length: length, metadata: (), fill: fill) else {
            counters.count(.controlQueueFull)
            return false
        }
        return true
    }

    /// Copies the oldest frame into `buffer` and returns its length; nil when none waits. A
    /// frame larger than the buffer is dropped (counted `tx.bufferTooSmall`).
    mutating func transmit(into buffer: MutablePacketBytes, counters: inout StackCounters) -> Int? {
        let length = queue.withFront { _, frame -> Int in
            guard frame.count <= buffer.count else { return -1 }
            buffer.copy(frame, to: 0)
            return frame.count
        }
        guard let length else { return nil }
        queue.removeFront()
        guard length >= 0 else {
            counters.count(.transmitBufferTooSmall)
            return nil
        }
        return length
    }
}
