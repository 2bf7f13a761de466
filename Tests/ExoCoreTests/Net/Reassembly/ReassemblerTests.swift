// Reassembly as a specification: any order completes exactly once with the original bytes;
// duplicates, overlaps, contradictions, timeouts and every cap end in a named, counted drop.
import ExoCore
import ExoWire
import Testing

@Suite struct ReassemblerTests {
    static let original = Fragmenter.datagram(3000)
    static let pieces = Fragmenter.fragments(of: original, cuts: Fragmenter.cuts(3008, size: 1480))

    @Test func inOrderFragmentsCompleteIntoTheOriginalDatagram() {
        let rig = ReassemblyRig()
        #expect(Self.pieces.count == 3)
        let results = rig.addAll(Self.pieces)
        #expect(results == [.incomplete, .incomplete, .complete(length: Self.original.count)])
        #expect(rig.completed == [Self.original])
        #expect(rig.reassembler.datagramCount == 0 && rig.reassembler.heldBytes == 0)
    }

    @Test func theReassembledDatagramIsClassifiedByItsPorts() {
        let rig = ReassemblyRig()
        for fragment in Self.pieces { #expect(classify(fragment) == .reassemble) }
        rig.addAll(Self.pieces)
        #expect(classify(rig.completed[0]) == .tenant(Net.sessionA))
        let toB = Fragmenter.datagram(2000, id: 9, port: 2500)
        rig.addAll(Fragmenter.fragments(of: toB, cuts: [1000]).reversed())
        #expect(classify(rig.completed[1]) == .tenant(Net.sessionB))
    }

    @Test(arguments: 0..<100) func anyOrderWithDuplicatesCompletesOnceWithTheOriginalBytes(seed: Int) {
        var random = SplitMix64(state: UInt64(seed) + 17)
        let size = 8 * Int.random(in: 1...200, using: &random)
        let count = Int.random(in: 1...3900, using: &random)
        let options: [UInt8] = Bool.random(using: &random) ? Frames.Options.recordRoute : []
        let original = Fragmenter.datagram(count, id: UInt16(seed), options: options)
        var fragments = Fragmenter.fragments(of: original, cuts: Fragmenter.cuts(count + 8, size: size))
        guard fragments.count > 1 else { return }
        let duplicates = Int.random(in: 0...3, using: &random)
        for _ in 0..<duplicates { fragments.append(fragments.randomElement(using: &random)!) }
        fragments.shuffle(using: &random)
        let rig = ReassemblyRig()
        let results = rig.addAll(fragments)
        // Duplicates after completion start a new datagram (which completes again if they
        // happen to cover it all): every completion is the original.
        let completion = results.firstIndex(of: .complete(length: original.count))
        #expect(completion != nil, "seed \(seed)")
        #expect(!rig.completed.isEmpty && rig.completed.allSatisfy { $0 == original })
        let before = results[..<(completion ?? results.count)]
        #expect(before.allSatisfy { $0 == .incomplete || $0 == .drop(.duplicate) })
    }

    @Test func anExactDuplicateIsDroppedAloneAndTheDatagramCompletes() {
        let rig = ReassemblyRig()
        #expect(rig.addAll([Self.pieces[1], Self.pieces[1], Self.pieces[0]]) == [.incomplete, .drop(.duplicate), .incomplete])
        #expect(rig.add(Self.pieces[2]) == .complete(length: Self.original.count))
        #expect(rig.count(.duplicate) == 1)
    }

    @Test func aDuplicateWithOtherBytesDropsTheWholeDatagram() {
        let rig = ReassemblyRig()
        var forged = Self.pieces[1]
        forged[forged.count - 1] ^= 0xFF
        #expect(rig.addAll([Self.pieces[1], forged]) == [.incomplete, .drop(.conflictingDuplicate)])
        #expect(rig.addAll([Self.pieces[0], Self.pieces[2]]) == [.drop(.afterDrop), .drop(.afterDrop)])
        #expect(rig.completed.isEmpty && rig.reassembler.heldBytes == 0)
    }

    @Test func aPartialOverlapDropsTheWholeDatagram() {
        let payload = Array(Self.original[34...])
        let overlapping = Fragmenter.piece(of: Self.original, ihl: 20, payload: payload, from: 1480 - 8, to: 2000, more: true)
        let rig = ReassemblyRig()
        #expect(rig.addAll([Self.pieces[0], overlapping]) == [.incomplete, .drop(.overlap)])
        #expect(rig.addAll([Self.pieces[1], Self.pieces[2]]) == [.drop(.afterDrop), .drop(.afterDrop)])
        // A fragment covering two held ones exactly and a gap between: also an overlap.
        let other = ReassemblyRig()
        let whole = Fragmenter.piece(of: Self.original, ihl: 20, payload: payload, from: 0, to: 2960, more: true)
        #expect(other.addAll([Self.pieces[1], whole]) == [.incomplete, .drop(.overlap)])
    }

    @Test func contradictoryLengthsDropTheDatagram() {
        let payload = Array(Self.original[34...])
        func piece(_ from: Int, _ to: Int, more: Bool) -> [UInt8] {
            Fragmenter.piece(of: Self.original, ihl: 20, payload: payload, from: from, to: to, more: more)
        }
        let cases: [(String, [[UInt8]])] = [
            ("a non-last fragment of 1001 bytes", [piece(0, 1001, more: true)]),
            ("data past the end a last fragment set", [piece(1480, 2000, more: false), piece(2000, 2960, more: true)]),
            ("a second, shorter end", [piece(1480, 2000, more: false), piece(8, 1000, more: false)]),
            ("a last fragment ending before data already held", [piece(1480, 2960, more: true), piece(8, 1480, more: false)]),
        ]
        for (name, fragments) in cases {
            let rig = ReassemblyRig()
            let results = rig.addAll(fragments)
            #expect(results.last == .drop(.inconsistentLength), "\(name): \(results)")
        }
        let empty = ReassemblyRig()
        #expect(empty.add(piece(1480, 1480, more: true)) == .drop(.inconsistentLength))
    }

    @Test func optionsOfTheFirstFragmentAreKept() {
        let original = Fragmenter.datagram(2500, options: Frames.Options.timestamp)
        let fragments = Fragmenter.fragments(of: original, cuts: [1200, 2400])
        #expect(fragments[1][14] == 0x45, "later fragments carry no options")
        let rig = ReassemblyRig()
        rig.addAll(fragments.reversed())
        #expect(rig.completed == [original])
    }

    @Test func aMissingPieceTimesOutAndLateFragmentsStartAfresh() {
        let rig = ReassemblyRig(timeout: 500)
        rig.addAll([Self.pieces[0], Self.pieces[2]])
        #expect(rig.reassembler.nextDeadline == 1_500)
        #expect(rig.reassembler.expire(now: 1_499) == 0)
        #expect(rig.reassembler.expire(now: 1_500) == 1)
        #expect(rig.count(.timedOut) == 1 && rig.reassembler.datagramCount == 0 && rig.reassembler.heldBytes == 0)
        #expect(rig.reassembler.nextDeadline == nil)
        // The missing piece alone after the deadline cannot complete the old datagram.
        rig.now = 2_000
        #expect(rig.add(Self.pieces[1]) == .incomplete)
        // A fragment arriving past its datagram's deadline also ends it (no timer needed).
        rig.now = 3_000
        #expect(rig.add(Self.pieces[0]) == .incomplete)
        #expect(rig.count(.timedOut) == 2)
    }

    @Test func aDroppedDatagramKeepsSwallowingFragmentsUntilItsDeadline() {
        let rig = ReassemblyRig(timeout: 500)
        var forged = Self.pieces[0]
        forged[60] ^= 1
        rig.addAll([Self.pieces[0], forged])
        #expect(rig.add(Self.pieces[1]) == .drop(.afterDrop))
        #expect(rig.reassembler.expire(now: 1_500) == 0, "a dropped datagram is not counted again")
        rig.now = 1_600
        #expect(rig.addAll(Self.pieces) == [.incomplete, .incomplete, .complete(length: Self.original.count)])
    }

    @Test func theOldestDatagramIsEvictedWhenAllSlotsAreTaken() {
        let rig = ReassemblyRig(datagrams: 4)
        let datagrams = (0..<5).map { Fragmenter.fragments(of: Fragmenter.datagram(3000, id: UInt16(100 + $0)), cuts: [1480, 2960]) }
        for (index, fragments) in datagrams.enumerated() {
            rig.now = UInt64(1_000 + index)
            #expect(rig.add(fragments[0]) == .incomplete)
        }
        #expect(rig.count(.evicted) == 1 && rig.reassembler.datagramCount == 4)
        // The survivors complete; the evicted one (the first) cannot.
        for fragments in datagrams[1...] { rig.addAll(Array(fragments[1...])) }
        #expect(rig.completed.count == 4)
        #expect(rig.addAll(Array(datagrams[0][1...])) == [.incomplete, .incomplete])
    }

    @Test func aDroppedDatagramIsEvictedBeforeALiveOne() {
        let rig = ReassemblyRig(datagrams: 2)
        let first = Fragmenter.fragments(of: Fragmenter.datagram(3000, id: 1), cuts: [1480, 2960])
        let second = Fragmenter.fragments(of: Fragmenter.datagram(3000, id: 2), cuts: [1480, 2960])
        let third = Fragmenter.fragments(of: Fragmenter.datagram(3000, id: 3), cuts: [1480, 2960])
        rig.add(first[0])
        rig.now += 1
        rig.add(second[0])
        var forged = second[0]
        forged[50] ^= 1
        #expect(rig.add(forged) == .drop(.conflictingDuplicate))
        rig.add(third[0])
        #expect(rig.count(.evicted) == 0, "the dropped datagram made room")
        #expect(rig.addAll(Array(first[1...])).last == .complete(length: 3042))
    }

    @Test func theByteCapEvictsTheOldestToMakeRoom() {
        // Room for 4096 bytes of fragments: two 3000-byte datagrams cannot both be held.
        let rig = ReassemblyRig(datagrams: 8, bytes: 4096)
        let first = Fragmenter.fragments(of: Fragmenter.datagram(3000, id: 1), cuts: [1480, 2960])
        let second = Fragmenter.fragments(of: Fragmenter.datagram(3000, id: 2), cuts: [1480, 2960])
        rig.addAll(Array(first[0...1]))
        rig.now += 1
        rig.addAll(Array(second[0...1]))
        #expect(rig.count(.evicted) == 1)
        #expect(rig.reassembler.heldBytes <= 4096)
        #expect(rig.add(second[2]) == .complete(length: 3042))
        #expect(rig.reassembler.heldBytes == 0)
    }

    @Test func datagramsLargerThanTheMaximumFrameAreDropped() {
        // 14 + 20 + 8 + 4054 = 4096: exactly one maximum frame completes.
        let fits = Fragmenter.datagram(4054)
        let rig = ReassemblyRig(maximumFrame: 4096)
        #expect(rig.addAll(Fragmenter.fragments(of: fits, cuts: [2000, 4000])).last == .complete(length: 4096))
        let tooLarge = Fragmenter.datagram(4055, id: 2)
        let pieces = Fragmenter.fragments(of: tooLarge, cuts: [2000, 4000])
        #expect(rig.add(pieces[2]) == .drop(.tooLarge))
        #expect(rig.addAll(Array(pieces[0...1])) == [.drop(.afterDrop), .drop(.afterDrop)])
        // Options push a datagram over the limit too: caught when the first fragment comes.
        let withOptions = Fragmenter.datagram(4050, id: 3, options: Frames.Options.timestamp)
        let optionPieces = Fragmenter.fragments(of: withOptions, cuts: [2000, 4000])
        #expect(rig.addAll([optionPieces[2], optionPieces[1], optionPieces[0]]) == [.incomplete, .incomplete, .drop(.tooLarge)])
    }

    @Test func anOutputBufferTooSmallIsATooLargeDrop() {
        let rig = ReassemblyRig()
        rig.output = [UInt8](repeating: 0, count: 1000)
        #expect(rig.addAll(Self.pieces).last == .drop(.tooLarge))
    }

    @Test func interleavedDatagramsAreKeptApartByTheirKey() {
        let a = Fragmenter.datagram(3000, id: 5)
        let b = Fragmenter.datagram(3000, id: 5, from: Net.stranger)
        let c = Fragmenter.datagram(3000, id: 6)
        let pieces = [a, b, c].map { Fragmenter.fragments(of: $0, cuts: [1480, 2960]) }
        let rig = ReassemblyRig()
        for index in 0..<3 { for datagram in pieces { rig.add(datagram[index]) } }
        #expect(rig.completed == [a, b, c])
    }

    @Test func aFrameThatIsNotAFragmentIsRefused() {
        let rig = ReassemblyRig()
        #expect(rig.add(Self.original) == .drop(.notAFragment))
        #expect(rig.add(Array(Self.original.prefix(20))) == .drop(.notAFragment))
    }

    @Test func everyDropReasonIsNamedOnceWithItsOwnCounterSlot() {
        #expect(Set(ReassemblyDrop.allCases.map(\.name)).count == ReassemblyDrop.allCases.count)
        let all = DropReason.allCases
        #expect(all.map(\.counterIndex) == Array(all.indices))
        #expect(all.contains(.reassembly(.evicted)))
    }
}
