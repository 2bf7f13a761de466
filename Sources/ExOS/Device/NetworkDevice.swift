// What the stack needs from a device: lend it a received frame, lend it memory for a frame
// to send. Tokens in smoltcp's sense, as non-escaping closures: the frame's memory is the
// device's (a ring frame, a simulated link's buffer) and cannot outlive the call.

import ExoPacket

/// A network device a driver moves frames through. Drivers are generic over it, so a
/// concrete device's calls are direct (no existential, no allocation per frame).
public protocol NetworkDevice {
    /// Bytes of the largest frame it carries (Ethernet header included, no FCS).
    var maximumFrameLength: Int { get }

    /// Lends up to `limit` received frames, oldest first, to `body`, one at a time; each
    /// frame's memory goes back to the device when `body` returns. Returns how many it lent.
    /// (A batch per call, so a ring-backed device opens one batch and flushes once.)
    mutating func receive(now: Instant, limit: Int, _ body: (PacketBytes) -> Void) -> Int

    /// Lends a free transmit frame of `maximumFrameLength` bytes to `body`, which writes a
    /// frame at its start and returns the length, or nil to give the frame back unused.
    /// Returns false when the device had no free frame (then `body` was not called).
    mutating func transmit(now: Instant, _ body: (MutablePacketBytes) -> Int?) -> Bool

    /// Publishes what `transmit` queued (a ring-backed device batches its doorbell).
    mutating func flush()
}

extension NetworkDevice {
    /// Nothing to publish: each `transmit` sends at once.
    public mutating func flush() {}
}

/// What one `poll` did.
public struct PollOutcome: Hashable, Sendable {
    /// Frames taken from the device and given to the stack.
    public var received = 0
    /// Frames the stack wrote into the device.
    public var transmitted = 0
    /// The device had no room for a frame the stack was ready to send.
    public var deviceFull = false
    /// True when a frame moved either way.
    public var didWork: Bool { received > 0 || transmitted > 0 }
}

extension NetworkDevice {
    /// The poll driver: moves frames between this device and `stack` at `now`: up to
    /// `budget` received frames into the stack, then frames out until the stack has none or
    /// the device no room. Call it in a loop (busy polling), or when the device is readable
    /// or the stack's `nextDeadline` has come. (The device's method, not the stack's: the
    /// stack is a sans-I/O value that never sees a device, only the frames lent to it.)
    @discardableResult
    public mutating func poll(_ stack: inout NetworkStack, now: Instant, budget: Int = 64) -> PollOutcome {
        var outcome = PollOutcome()
        outcome.received = receive(now: now, limit: budget) { frame in stack.receive(frame: frame, now: now) }
        stack.advance(to: now)  // timers due now queue their frames before the device is asked
        while stack.hasFramesToSend, outcome.transmitted < budget {
            var wrote = false
            let hadRoom = transmit(now: now) { buffer -> Int? in
                let length = stack.transmit(now: now, into: buffer)
                wrote = length != nil
                return length
            }
            guard hadRoom else {
                outcome.deviceFull = true
                break
            }
            guard wrote else { break }
            outcome.transmitted += 1
        }
        if outcome.transmitted > 0 { flush() }
        return outcome
    }
}
