// The strict walk of IPv4 options: which kinds a well-formed field carries, and every
// malformation (lengths, pointers, padding, a second source route) refused.
import ExoPacket
import Testing

@Suite struct IPv4OptionsTests {
    static func walk(_ options: [UInt8]) -> Result<IPv4OptionKinds, PacketError> {
        withPacket(options) { bytes in
            do throws(PacketError) { return .success(try IPv4Option.walk(bytes)) } catch { return .failure(error) }
        }
    }

    static let wellFormed: [(String, [UInt8], IPv4OptionKinds)] = [
        ("nothing", [], []),
        ("NOPs", [1, 1, 1, 1], []),
        ("end of list and zero padding", [0, 0, 0, 0], []),
        ("record route", [0x07, 7, 4, 0, 0, 0, 0, 0], .recordRoute),
        ("timestamp", [0x44, 8, 5, 0, 0, 0, 0, 0], .timestamp),
        ("loose source route", [0x83, 7, 4, 10, 0, 0, 1, 0], .sourceRoute),
        ("strict source route", [0x89, 7, 4, 10, 0, 0, 1, 0], .sourceRoute),
        ("router alert", [0x94, 4, 0, 0], .other),
        ("source route after NOPs and a timestamp", [1, 1, 0x44, 4, 5, 0, 0x83, 3, 4, 0, 0, 0], [.timestamp, .sourceRoute]),
        ("an option filling the field exactly", [0x94, 4, 0, 0], .other),
    ]

    static let malformed: [(String, [UInt8])] = [
        ("length 0", [0x94, 0, 0, 0]),
        ("length 1", [0x94, 1, 0, 0]),
        ("length past the field", [0x94, 5, 0, 0]),
        ("type without length", [1, 1, 1, 0x94]),
        ("record route pointer 3", [0x07, 7, 3, 0, 0, 0, 0, 0]),
        ("record route of 2 bytes", [0x07, 2, 0, 0]),
        ("source route pointer 0", [0x83, 4, 0, 0]),
        ("timestamp pointer 4", [0x44, 4, 4, 0]),
        ("timestamp of 3 bytes", [0x44, 3, 5, 0]),
        ("a nonzero byte after end of list", [0, 0, 1, 0]),
        ("two source routes", [0x83, 3, 4, 0x89, 3, 4, 0, 0]),
    ]

    @Test(arguments: wellFormed.indices) func wellFormedOptionsNameTheirKinds(index: Int) {
        let (name, options, kinds) = Self.wellFormed[index]
        #expect(Self.walk(options) == .success(kinds), "\(name)")
    }

    @Test(arguments: malformed.indices) func malformedOptionsAreRefused(index: Int) {
        let (name, options) = Self.malformed[index]
        #expect(Self.walk(options) == .failure(.malformed), "\(name)")
    }
}
