// Seeded random frames for the property tests: well-formed frames between every kind of
// address and port on the test network, about a third of them corrupted in a random way.
import ExoCore
import ExoWire
import ExoPacket

struct RandomPackets {
    var rng: SplitMix64

    init(seed: UInt64) { rng = SplitMix64(state: seed) }

    static let addresses = [Net.addressA, Net.addressB, Net.shared, Net.gateway, Net.stranger]
    static let ports: [UInt16] = [0, 53, 54, 99, 1000, 1500, 1501, 1999, 2000, 2500, 2999, 3000, 5000, 8080, 8099, 8100, 8150]
    /// Echo identifiers: outside every share, at and inside A's (100-199) and B's (200-299), bound ones.
    static let identifiers: [UInt16] = [0, 7, 99, 100, 150, 199, 200, 250, 299, 300]
    static let macs = [Net.macA, Net.macB, Net.daemonMAC, Net.hostMAC, MACAddress.broadcast, MACAddress(0x01, 0, 0x5E, 0, 0, 9)]

    mutating func pick<T>(_ values: [T]) -> T { values[Int.random(in: 0..<values.count, using: &rng)] }
    mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &rng) < percent }
    mutating func address() -> IPv4Address { pick(Self.addresses) }
    mutating func port() -> UInt16 { chance(80) ? pick(Self.ports) : UInt16.random(in: 1...UInt16.max, using: &rng) }
    mutating func identifier() -> UInt16 { chance(90) ? pick(Self.identifiers) : UInt16.random(in: 0...UInt16.max, using: &rng) }
    /// Usually the address's own MAC, sometimes any other.
    mutating func mac(for address: IPv4Address) -> MACAddress { chance(75) ? Net.mac(address) : pick(Self.macs) }

    mutating func wellFormed() -> [UInt8] {
        let (source, destination) = (address(), address())
        let sourceMAC = mac(for: source)
        let destinationMAC = mac(for: destination)
        switch Int.random(in: 0..<9, using: &rng) {
        case 0, 1:
            return Frames.udp(from: source, port(), to: destination, port(), sourceMAC: sourceMAC, destinationMAC: destinationMAC)
        case 2:
            return Frames.withSourceMAC(Frames.tcp(from: source, port(), to: destination, port()), sourceMAC)
        case 3:
            return Frames.withSourceMAC(Frames.echo(request: chance(50), from: source, to: destination, id: identifier()), sourceMAC)
        case 4:
            let (from, to) = (chance(60) ? destination : address(), chance(60) ? source : address())
            let quoted = switch Int.random(in: 0..<10, using: &rng) {
            case 0..<6: Frames.udp(from: from, port(), to: to, port())
            case 6..<8: Frames.tcp(from: from, port(), to: to, port())
            default: Frames.echo(request: chance(80), from: from, to: to, id: identifier())
            }
            return Frames.withSourceMAC(Frames.icmpError(from: source, to: destination, quoting: quoted), sourceMAC)
        case 5:
            let operation: ARPOperation = chance(50) ? .request : .reply
            return Frames.arp(operation, senderMAC: chance(80) ? sourceMAC : pick(Self.macs), sender: source, target: destination,
                              ethernetSource: chance(85) ? nil : pick(Self.macs), ethernetDestination: chance(50) ? .broadcast : destinationMAC)
        case 6:
            let frame = Frames.udp(from: source, port(), to: destination, port(), sourceMAC: sourceMAC, destinationMAC: destinationMAC)
            return Frames.fragmented(frame, moreFragments: chance(50), offsetUnits: chance(50) ? 0 : 3)
        case 7:
            return Frames.withSourceMAC(Frames.ipv4(IPProtocol(rawValue: 47), from: source, to: destination, payload: [0, 0, 8, 0]), sourceMAC)
        default:
            let frame = Frames.udp(from: source, port(), to: destination, port(), sourceMAC: sourceMAC, destinationMAC: destinationMAC)
            return frame + [UInt8](repeating: 0, count: max(0, 60 - frame.count))
        }
    }

    mutating func corrupt(_ frame: [UInt8]) -> [UInt8] {
        switch Int.random(in: 0..<8, using: &rng) {
        case 0: return Array(frame.prefix(Int.random(in: 0..<frame.count, using: &rng)))
        case 1:
            var copy = frame
            copy[Int.random(in: 0..<copy.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng)
            return copy
        case 2: return Frames.vlanTagged(frame, tpid: pick([0x8100, 0x88A8, 0x9100]))
        case 3: return Frames.withEtherType(frame, pick([0x8808, 0x86DD, 0x0026, 0x88CC]))
        case 4: return frame.count > 40 && frame[12] == 0x08 && frame[13] == 0 ? Frames.withIPOption(frame, kind: pick([0x83, 0x89, 0x07])) : frame
        case 5: return frame + (0..<Int.random(in: 1...20, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        case 6:
            // Rewrite one header byte and keep the IPv4 checksum right, so deeper checks run.
            guard frame.count > 34, frame[12] == 0x08, frame[13] == 0 else { return frame }
            let offset = Int.random(in: 0..<20, using: &rng)
            let value = UInt8.random(in: 0...255, using: &rng)
            return Frames.editIP(frame) { $0.setU8(offset, value) }
        default: return Frames.withSourceMAC(frame, pick(Self.macs))
        }
    }

    mutating func next() -> [UInt8] {
        let frame = wellFormed()
        return chance(35) ? corrupt(frame) : frame
    }
}
