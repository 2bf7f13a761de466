// Control requests served, by kind and outcome, and how long serving each took, for the
// metrics. Fixed arrays sized once: counting one request is a table lookup, two adds and a
// short scan of the bucket bounds, with no allocation. Read at scrape time only.

import ExoWire

/// Counters of the control records the loop served. Owned by the loop (one thread).
struct ControlRequestTally: Equatable {
    /// Every request kind the protocol defines, in code order; the slot after the last is for
    /// records refused before a request was decoded (size, framing, codec, descriptors).
    static let kinds: [MessageKind] = MessageKind.allCases.filter { $0.family == .request }
    static let malformedSlot = kinds.count
    static let slotCount = kinds.count + 1
    /// Bucket bounds in nanoseconds (10 µs to 100 ms): a request is served in microseconds
    /// unless it maps, reloads or waits on the kernel.
    static let boundsNanoseconds: [UInt64] = [
        10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000, 5_000_000, 10_000_000,
        25_000_000, 100_000_000,
    ]
    /// Requests are 0x01xx: the slot of each low byte, -1 for a code no request has.
    private static let slotByLowByte: [Int] = {
        var table = [Int](repeating: -1, count: 256)
        for (slot, kind) in kinds.enumerated() { table[Int(kind.rawValue & 0xFF)] = slot }
        return table
    }()

    /// What one served record was, for `record`.
    struct Served: Equatable {
        var slot: Int
        var failed: Bool
    }

    /// By `slot * 2 + (failed ? 1 : 0)`.
    private(set) var outcomes = [UInt64](repeating: 0, count: slotCount * 2)
    /// By `slot * (bounds + 1) + bucket`, not cumulative; the last bucket of a slot is +Inf.
    private(set) var buckets = [UInt64](repeating: 0, count: slotCount * (boundsNanoseconds.count + 1))
    private(set) var sumNanoseconds = [UInt64](repeating: 0, count: slotCount)

    /// The record a request of `kind` answered (an error reply counts as failed).
    static func served(_ kind: MessageKind, reply: Reply) -> Served {
        let slot = kind.rawValue >> 8 == 0x01 ? slotByLowByte[Int(kind.rawValue & 0xFF)] : -1
        var failed = false
        if case .error = reply { failed = true }
        return Served(slot: slot >= 0 ? slot : malformedSlot, failed: failed)
    }

    /// A record refused before a request was decoded.
    static let malformed = Served(slot: malformedSlot, failed: true)

    /// Counts one served record that took `nanoseconds` to read, dispatch and answer.
    mutating func record(_ served: Served, nanoseconds: UInt64) {
        outcomes[served.slot * 2 + (served.failed ? 1 : 0)] &+= 1
        var bucket = 0
        while bucket < Self.boundsNanoseconds.count, nanoseconds > Self.boundsNanoseconds[bucket] { bucket += 1 }
        buckets[served.slot * (Self.boundsNanoseconds.count + 1) + bucket] &+= 1
        sumNanoseconds[served.slot] &+= nanoseconds
    }

    /// The metric label of a slot: the kind's name in docs/PROTOCOL.md, or `malformed`.
    static func label(of slot: Int) -> String {
        slot == malformedSlot ? "malformed" : String(describing: kinds[slot])
    }

    /// Records of a slot answered with a reply (`failed` false) or an error (true).
    func count(slot: Int, failed: Bool) -> UInt64 { outcomes[slot * 2 + (failed ? 1 : 0)] }

    /// A slot's cumulative bucket counts, one per bound and then +Inf (the slot's count).
    func cumulativeBuckets(slot: Int) -> [UInt64] {
        let width = Self.boundsNanoseconds.count + 1
        var cumulative = Array(buckets[(slot * width)..<((slot + 1) * width)])
        for index in cumulative.indices.dropFirst() { cumulative[index] &+= cumulative[index - 1] }
        return cumulative
    }
}
