// Real Linux TCP segments (kernel 6.x, default sysctls), byte for byte, as Linux wrote them
// onto a TAP device (so with software checksums, not offload's partial sums). A listener on
// 10.99.0.1:5000 answered a peer at 10.99.0.2:40000 that sent a SYN (MSS 1460, SACK-permitted,
// TSval 1000, window scale 7), then data with holes at 100, 300 and 500 bytes past its ISN;
// the listener's host then opened a connection to 10.99.0.2:80. Only the TCP segments
// (the IPv4 payloads) are kept.
import ExoPacket

enum TCPSamples {
    static let linux = IPv4Address(10, 99, 0, 1)
    static let peer = IPv4Address(10, 99, 0, 2)

    /// The listener's SYN-ACK: MSS 1460, SACK-permitted + timestamps, NOP, window scale 10.
    static let synAck = PacketSamples.hex(
        "13 88 9c 40 3f c5 79 68 11 11 11 12 a0 12 fe 88",
        "8c ff 00 00 02 04 05 b4 04 02 08 0a e9 38 2f 62",
        "00 00 03 e8 01 03 03 0a")

    /// 17 bytes of data (PSH, ACK) with timestamps.
    static let data = PacketSamples.hex(
        "13 88 9c 40 3f c5 79 69 11 11 11 12 80 18 00 40",
        "94 e2 00 00 01 01 08 0a e9 38 31 58 00 00 03 e9",
        "68 65 6c 6c 6f 20 66 72 6f 6d 20 6c 69 6e 75 78",
        "0a")
    static let dataPayload = Array("hello from linux\n".utf8)

    /// Duplicate ACK with timestamps and one SACK block.
    static let sack1 = PacketSamples.hex(
        "13 88 9c 40 3f c5 79 7a 11 11 11 12 b0 10 00 40",
        "38 9c 00 00 01 01 08 0a e9 38 35 42 00 00 03 e9",
        "01 01 05 0a 11 11 11 76 11 11 11 da")

    /// Duplicate ACK with timestamps and two SACK blocks (the newest first, RFC 2018 §4).
    static let sack2 = PacketSamples.hex(
        "13 88 9c 40 3f c5 79 7a 11 11 11 12 d0 10 00 40",
        "cf 8d 00 00 01 01 08 0a e9 38 37 3e 00 00 03 e9",
        "01 01 05 12 11 11 12 3e 11 11 12 a2 11 11 11 76",
        "11 11 11 da")

    /// Duplicate ACK with timestamps and three SACK blocks: a full 60-byte header.
    static let sack3 = PacketSamples.hex(
        "13 88 9c 40 3f c5 79 7a 11 11 11 12 f0 10 00 40",
        "64 ee 00 00 01 01 08 0a e9 38 39 3b 00 00 03 e9",
        "01 01 05 1a 11 11 13 06 11 11 13 6a 11 11 12 3e",
        "11 11 12 a2 11 11 11 76 11 11 11 da")

    /// FIN, ACK with the same three SACK blocks.
    static let finSack3 = PacketSamples.hex(
        "13 88 9c 40 3f c5 79 7a 11 11 11 12 f0 11 00 40",
        "59 2f 00 00 01 01 08 0a e9 38 44 f9 00 00 03 e9",
        "01 01 05 1a 11 11 13 06 11 11 13 6a 11 11 12 3e",
        "11 11 12 a2 11 11 11 76 11 11 11 da")

    /// The host's active open to 10.99.0.2:80: MSS, SACK-permitted + timestamps, NOP, WS 10.
    static let syn = PacketSamples.hex(
        "b3 d6 00 50 b4 40 fa ff 00 00 00 00 a0 02 fa f0",
        "4e a0 00 00 02 04 05 b4 04 02 08 0a 69 80 1c bc",
        "00 00 00 00 01 03 03 0a")

    /// Every capture, with its direction (the active open goes the same way as the rest).
    static let all: [[UInt8]] = [synAck, data, sack1, sack2, sack3, finSack3, syn]
}
