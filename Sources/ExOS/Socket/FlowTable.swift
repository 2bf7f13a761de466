// The stack's demultiplexing table: a flow key (protocol, local endpoint, remote endpoint)
// to a socket slot, in an open-addressed hash table with a keyed hash. UDP sockets and
// pingers register their local endpoint (remote zero); TCP connections (part 2) register
// the four-tuple and listeners the local endpoint, and a lookup tries exact, then local.

import ExoPacket

/// What a received packet is matched on. A zero remote address and port mean "any peer".
struct FlowKey: Hashable, Sendable {
    var proto: IPProtocol
    var localAddress: IPv4Address
    var localPort: UInt16
    var remoteAddress: IPv4Address = .any
    var remotePort: UInt16 = 0

    /// The same local endpoint, any peer.
    var listening: FlowKey { FlowKey(proto: proto, localAddress: localAddress, localPort: localPort) }
}

/// A fixed-size hash table from `FlowKey` to a slot index, linear probing with
/// backward-shift deletion (no tombstones). Sized to twice its entry bound, so probes stay
/// short; the hash is keyed with the stack's secret (peers choose remote endpoints).
struct FlowTable {
    private struct Bucket {
        var key: FlowKey
        var value: Int32
        var used: Bool
    }

    private var buckets: [Bucket]
    private let mask: Int
    private let secret: UInt64
    private(set) var count = 0
    let maximumEntries: Int

    init(maximumEntries: Int, secret: UInt64) {
        var size = 8
        while size < maximumEntries * 2 { size <<= 1 }
        let empty = Bucket(key: FlowKey(proto: .udp, localAddress: .any, localPort: 0), value: -1, used: false)
        buckets = Array(repeating: empty, count: size)
        mask = size - 1
        self.secret = secret
        self.maximumEntries = maximumEntries
    }

    private func home(_ key: FlowKey) -> Int {
        // Two rounds of a 64-bit mix over the packed key, keyed: cheap and well spread.
        let local = UInt64(key.localAddress.rawValue) << 24 | UInt64(key.localPort) << 8 | UInt64(key.proto.rawValue)
        let remote = UInt64(key.remoteAddress.rawValue) << 16 | UInt64(key.remotePort)
        var h = (local ^ secret) &* 0x9E37_79B9_7F4A_7C15
        h = (h ^ (h >> 29) ^ remote) &* 0xBF58_476D_1CE4_E5B9
        h ^= h >> 32
        return Int(truncatingIfNeeded: h) & mask
    }

    /// The slot registered for exactly `key`.
    func find(_ key: FlowKey) -> Int? {
        var index = home(key)
        while buckets[index].used {
            if buckets[index].key == key { return Int(buckets[index].value) }
            index = (index + 1) & mask
        }
        return nil
    }

    /// The slot for a packet of flow `key`: its exact flow, else its local endpoint.
    func lookup(_ key: FlowKey) -> Int? {
        if key.remotePort != 0 || key.remoteAddress != .any, let exact = find(key) { return exact }
        return find(key.listening)
    }

    /// Registers `key`; false when it is present already or the table holds its bound.
    mutating func insert(_ key: FlowKey, value: Int) -> Bool {
        guard count < maximumEntries, find(key) == nil else { return false }
        var index = home(key)
        while buckets[index].used { index = (index + 1) & mask }
        buckets[index] = Bucket(key: key, value: Int32(value), used: true)
        count += 1
        return true
    }

    /// Removes `key` if present, shifting later members of its probe run back.
    mutating func remove(_ key: FlowKey) {
        var index = home(key)
        while buckets[index].used, buckets[index].key != key { index = (index + 1) & mask }
        guard buckets[index].used else { return }
        buckets[index].used = false
        count -= 1
        var hole = index
        var next = (index + 1) & mask
        while buckets[next].used {
            let wanted = home(buckets[next].key)
            // Move back when the hole lies cyclically between the entry's home and its place.
            let distanceToHole = (hole - wanted) & mask
            let distanceToNext = (next - wanted) & mask
            if distanceToHole < distanceToNext {
                buckets[hole] = buckets[next]
                buckets[next].used = false
                hole = next
            }
            next = (next + 1) & mask
        }
    }
}
