// Real frames, byte for byte, as a TAP device hands them over (no preamble, no FCS), and
// the helpers that lend their bytes to the views under test.
import ExoPacket

/// Frames between a host (10.77.0.1, 3a:1f:6c:90:0e:21) and a tenant (10.77.0.2,
/// 02:00:5e:10:00:01). Checksums were computed independently of the code under test.
enum PacketSamples {
    static let hostMAC = MACAddress(0x3A, 0x1F, 0x6C, 0x90, 0x0E, 0x21)
    static let tenantMAC = MACAddress(0x02, 0x00, 0x5E, 0x10, 0x00, 0x01)
    static let host = IPv4Address(10, 77, 0, 1)
    static let tenant = IPv4Address(10, 77, 0, 2)

    /// Host asks: who has 10.77.0.2? Tell 10.77.0.1.
    static let arpRequest = hex(
        "ff ff ff ff ff ff 3a 1f 6c 90 0e 21 08 06 00 01",
        "08 00 06 04 00 01 3a 1f 6c 90 0e 21 0a 4d 00 01",
        "00 00 00 00 00 00 0a 4d 00 02")

    /// `ping -c1 10.77.0.2` from the host: echo request id 0x0d3c seq 1, 48 data bytes.
    static let echoRequest = hex(
        "02 00 5e 10 00 01 3a 1f 6c 90 0e 21 08 00 45 00",
        "00 4c 1c 46 40 00 40 01 09 cf 0a 4d 00 01 0a 4d",
        "00 02 08 00 c6 68 0d 3c 00 01 a1 b2 c3 d4 00 00",
        "00 00 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d",
        "1e 1f 20 21 22 23 24 25 26 27 28 29 2a 2b 2c 2d",
        "2e 2f 30 31 32 33 34 35 36 37")

    /// "hello\n" from host port 40000 to the tenant's port 7.
    static let udpDatagram = hex(
        "02 00 5e 10 00 01 3a 1f 6c 90 0e 21 08 00 45 00",
        "00 22 5a 11 40 00 40 11 cc 1d 0a 4d 00 01 0a 4d",
        "00 02 9c 40 00 07 00 0e 0b 12 68 65 6c 6c 6f 0a")

    /// The host's port unreachable for the tenant's reply from port 7 to host port 40000,
    /// quoting the whole datagram.
    static let portUnreachable = hex(
        "02 00 5e 10 00 01 3a 1f 6c 90 0e 21 08 00 45 00",
        "00 3e 9e 07 00 00 40 01 c8 1b 0a 4d 00 01 0a 4d",
        "00 02 03 03 11 b9 00 00 00 00 45 00 00 22 3b 9c",
        "40 00 40 11 ea 92 0a 4d 00 02 0a 4d 00 01 00 07",
        "9c 40 00 0e 0b 12 68 65 6c 6c 6f 0a")

    /// A Linux SYN from host port 51000 to the tenant's port 80 (MSS, SACK, timestamps, WS).
    static let tcpSyn = hex(
        "02 00 5e 10 00 01 3a 1f 6c 90 0e 21 08 00 45 00",
        "00 3c 7d 21 40 00 40 06 a8 fe 0a 4d 00 01 0a 4d",
        "00 02 c7 38 00 50 12 34 56 78 00 00 00 00 a0 02",
        "fa f0 64 66 00 00 02 04 05 b4 04 02 08 0a 00 16",
        "a3 c1 00 00 00 00 01 03 03 07")

    static func hex(_ lines: String...) -> [UInt8] {
        lines.joined(separator: " ").split(separator: " ").map { UInt8($0, radix: 16)! }
    }
}

/// Lends `bytes` to `body` as a `PacketBytes` window.
@discardableResult
func withPacket<R>(_ bytes: [UInt8], _ body: (PacketBytes) throws -> R) rethrows -> R {
    try bytes.withUnsafeBytes { try body(PacketBytes(unsafeBuffer: $0)) }
}

/// The IPv4 datagram inside an Ethernet frame's bytes.
func ipPayload(_ frame: [UInt8]) -> [UInt8] { Array(frame[14...]) }
