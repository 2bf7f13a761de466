// udp-blast's send loop: copy the one prepared frame into every free transmit frame, stage
// a batch, flush it to the tx ring, and wait for completions only when no frame is free.

import ExOS
import ExoPlatform
import ExoPacket

struct BlastLoop {
    let path: DataPath
    /// The frame sent over and over (Ethernet, IPv4 and UDP headers with valid checksums).
    let template: [UInt8]
    let batch: Int
    private(set) var staged = 0
    private(set) var seconds = 0.0

    init(path: DataPath, template: [UInt8], batch: Int) {
        self.path = path
        self.template = template
        self.batch = batch
    }

    /// Sends for `duration` seconds, then waits (bounded) until the daemon completed what
    /// was staged, so the counters printed afterwards are whole.
    mutating func run(duration: Double) throws(DataPathError) {
        let start = MonotonicClock.nanoseconds()
        let deadline = start + UInt64(duration * 1e9)
        var now = start
        while now < deadline {
            var inBatch = 0
            while inBatch < batch {
                guard var slot = path.transmitSlot() else { break }
                template.withUnsafeBytes { source in
                    slot.withMutableBytes { span in
                        span.withUnsafeMutableBytes { $0.baseAddress!.copyMemory(from: source.baseAddress!, byteCount: source.count) }
                    }
                }
                slot.send(length: template.count)
                inBatch += 1
            }
            path.flush()
            staged += inBatch
            if inBatch == 0 { _ = try path.wait(timeout: .milliseconds(100)) }
            now = MonotonicClock.nanoseconds()
        }
        seconds = Double(now - start) / 1e9
        for _ in 0..<50 where path.census()[.txPosted] + path.census()[.txStaged] > 0 {
            _ = try path.wait(timeout: .milliseconds(20))
        }
    }

    /// One Ethernet/IPv4/UDP frame of 60 bytes (18-byte payload), both checksums filled.
    static func frame(
        from sourceMAC: MACAddress, to destinationMAC: MACAddress, _ source: IPv4Address, _ sourcePort: UInt16,
        _ destination: IPv4Address, _ destinationPort: UInt16
    ) -> [UInt8] {
        let payload = 18
        var frame = [UInt8](repeating: 0, count: EthernetPacket.headerLength + 20 + 8 + payload)
        frame.withUnsafeMutableBytes { raw in
            let bytes = MutablePacketBytes(unsafeBuffer: raw)
            EthernetRepr(destination: destinationMAC, source: sourceMAC, etherType: .ipv4)
                .emit(into: try! MutableEthernetPacket(checking: bytes))
            let ip = try! IPv4Repr(source: source, destination: destination, protocol: .udp, payloadLength: 8 + payload)
                .emit(into: bytes.dropFirst(EthernetPacket.headerLength))
            for i in 0..<payload { ip.payload.setU8(8 + i, UInt8(truncatingIfNeeded: 0x41 + i)) }
            _ = try! UDPRepr(sourcePort: sourcePort, destinationPort: destinationPort, payloadLength: payload)
                .emit(into: ip.payload, source: source, destination: destination)
        }
        return frame
    }
}
