// The sink's receive loop: take rx in batches, count each packet (and whether it is UDP to
// our port), give the frame straight back to fill, and sleep on the eventfd only when idle.

import ExOS
import ExoPlatform
import ExoWire
import ExoPacket

/// Counts packets until traffic stops (or a deadline passes).
struct SinkLoop {
    let path: DataPath
    let port: UInt16
    let batch: Int
    var packets = 0
    /// Packets that are IPv4/UDP to `port` (the benchmark's stream); the rest are counted only.
    var matched = 0
    var firstNanoseconds: UInt64 = 0
    var lastNanoseconds: UInt64 = 0

    /// Offset of the UDP destination port in an untagged Ethernet/IPv4 frame without options.
    static let portOffset = EthernetPacket.headerLength + IPv4Packet.minimumHeaderLength + 2

    mutating func run(idleNanoseconds: UInt64, deadline: UInt64?) throws(DataPathError) {
        while true {
            var handled = 0
            do {
                var received = path.receive(max: batch)
                while let packet = received.next() {
                    handled += 1
                    if packet.withBytes({ Self.isOurs($0, port: port) }) { matched += 1 }
                    packet.recycle()
                }
            }
            let now = MonotonicClock.nanoseconds()
            if handled > 0 {
                if packets == 0 { firstNanoseconds = now }
                packets += handled
                lastNanoseconds = now
                path.flush()
                continue
            }
            if packets > 0, now - lastNanoseconds >= idleNanoseconds { return }
            if let deadline, now >= deadline { return }
            _ = try path.wait(timeout: .milliseconds(20))
        }
    }

    /// IPv4 (no options), UDP, destination `port`: four loads through a bounds-checked view,
    /// no parse (the daemon already ran the strict one before delivering).
    static func isOurs(_ frame: RawSpan, port: UInt16) -> Bool {
        PacketBytes.with(frame) { bytes in
            bytes.count >= portOffset + 2 && bytes.u16(12) == EtherType.ipv4.rawValue
                && bytes.u8(EthernetPacket.headerLength) == 0x45
                && bytes.u8(EthernetPacket.headerLength + 9) == IPProtocol.udp.rawValue && bytes.u16(portOffset) == port
        }
    }

    /// Seconds from the first batch to the last.
    var seconds: Double { Double(lastNanoseconds - firstNanoseconds) / 1e9 }
}
