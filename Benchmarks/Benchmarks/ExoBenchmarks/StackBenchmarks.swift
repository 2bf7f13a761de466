// ExOS's network stack on its packet paths, without a device: an echo request received and
// its reply transmitted, a datagram received into a socket and read, a datagram sent and
// transmitted, a hostile frame dropped. mallocCountTotal must stay 0 per iteration.

import Benchmark
import ExOS

enum StackFixture {
    static let me = IPv4Address(10, 0, 0, 1)
    static let meMAC = MACAddress(2, 0, 0, 0, 0, 1)
    static let peer = IPv4Address(10, 0, 0, 2)
    static let peerMAC = MACAddress(2, 0, 0, 0, 0, 2)

    /// A stack owning 10.0.0.1 that already knows 10.0.0.2's MAC, with a socket on port 7.
    static func make() -> (NetworkStack, UDPHandle) {
        var limits = StackLimits()
        limits.announcements = 0
        var stack = NetworkStack(
            configuration: StackConfiguration(
                addresses: [LocalAddress(address: me, mac: meMAC, owned: true)], prefixLength: 24, limits: limits))
        arpRequest.withUnsafeBytes { stack.receive(frame: PacketBytes(unsafeBuffer: $0), now: .zero) }
        var buffer = [UInt8](repeating: 0, count: 1514)
        while MutablePacketBytes.with(&buffer, { stack.transmit(now: .zero, into: $0) }) != nil {}
        do throws(StackError) {
            // Open first: in `(stack, try stack.openUDP(…))` the tuple would copy the stack
            // before the socket exists in it.
            let socket = try stack.openUDP(port: 7)
            return (stack, socket)
        } catch {
            fatalError("fixture: \(error)")
        }
    }

    static let arpRequest: [UInt8] = frame(etherType: 0x0806) { bytes in
        ARPRepr(
            operation: .request, senderHardware: peerMAC, senderProtocol: peer, targetHardware: .zero,
            targetProtocol: me
        )
        .emit(into: bytes)
        return ARPPacket.length
    }

    static let echoRequest: [UInt8] = frame(etherType: 0x0800) { bytes in
        let message = ICMPv4Repr.echoRequest(identifier: 1, sequence: 1, dataLength: 56)
        _ = try? message.emit(into: bytes.dropFirst(20))
        _ = try? IPv4Repr(source: peer, destination: me, protocol: .icmp, payloadLength: message.length).emit(
            into: bytes)
        return 20 + message.length
    }

    /// A 64-byte UDP payload from 10.0.0.2:9 to port 7.
    static let datagram: [UInt8] = frame(etherType: 0x0800) { bytes in
        let udp = UDPRepr(sourcePort: 9, destinationPort: 7, payloadLength: 64)
        _ = try? udp.emit(into: bytes.dropFirst(20), source: peer, destination: me)
        _ = try? IPv4Repr(source: peer, destination: me, protocol: .udp, payloadLength: udp.length).emit(into: bytes)
        return 20 + udp.length
    }

    static func frame(etherType: UInt16, _ body: (MutablePacketBytes) -> Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 1514)
        let length = MutablePacketBytes.with(&bytes) { frame in
            EthernetRepr(destination: meMAC, source: peerMAC, etherType: EtherType(rawValue: etherType))
                .emit(into: try! MutableEthernetPacket(checking: frame))
            return 14 + body(frame.dropFirst(14))
        }
        return Array(bytes.prefix(length))
    }
}

/// A thousand packets per sample, so the harness's own per-sample cost does not dominate a
/// path of a microsecond or less; metrics are reported per packet.
var stackConfiguration: Benchmark.Configuration {
    Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal], warmupIterations: 10, scalingFactor: .kilo,
        maxDuration: .seconds(2), maxIterations: 10_000)
}

func registerStackBenchmarks() {
    Benchmark("ExOS stack: echo request received, reply transmitted", configuration: stackConfiguration) { benchmark in
        var (stack, _) = StackFixture.make()
        var buffer = [UInt8](repeating: 0, count: 1514)
        let request = StackFixture.echoRequest
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            request.withUnsafeBytes { stack.receive(frame: PacketBytes(unsafeBuffer: $0), now: .zero) }
            guard MutablePacketBytes.with(&buffer, { stack.transmit(now: .zero, into: $0) }) == 98 else {
                fatalError("no echo reply")
            }
        }
    }

    Benchmark("ExOS stack: 64-byte datagram received into a socket and read", configuration: stackConfiguration) {
        benchmark in
        var (stack, socket) = StackFixture.make()
        var buffer = [UInt8](repeating: 0, count: 1514)
        let datagram = StackFixture.datagram
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            datagram.withUnsafeBytes { stack.receive(frame: PacketBytes(unsafeBuffer: $0), now: .zero) }
            guard MutablePacketBytes.with(&buffer, { stack.receive(socket, into: $0) }) != nil else {
                fatalError("the datagram did not reach the socket")
            }
            blackHole(stack.nextEvent())
        }
    }

    Benchmark("ExOS stack: 64-byte datagram sent and transmitted", configuration: stackConfiguration) { benchmark in
        var (stack, socket) = StackFixture.make()
        var buffer = [UInt8](repeating: 0, count: 1514)
        let payload = [UInt8](repeating: 0x5A, count: 64)
        let peer = UDPEndpoint(address: StackFixture.peer, port: 9)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            payload.withUnsafeBytes { bytes in
                do throws(SendError) {
                    try stack.send(socket, PacketBytes(unsafeBuffer: bytes), to: peer, now: .zero)
                } catch {
                    fatalError("send refused: \(error)")
                }
            }
            guard MutablePacketBytes.with(&buffer, { stack.transmit(now: .zero, into: $0) }) == 106 else {
                fatalError("the datagram did not leave")
            }
        }
    }

    Benchmark("ExOS stack: frame with a bad IPv4 checksum dropped", configuration: stackConfiguration) { benchmark in
        var (stack, _) = StackFixture.make()
        var bad = StackFixture.datagram
        bad[24] ^= 0xFF
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            bad.withUnsafeBytes { stack.receive(frame: PacketBytes(unsafeBuffer: $0), now: .zero) }
        }
        blackHole(stack.counters)
    }
}
