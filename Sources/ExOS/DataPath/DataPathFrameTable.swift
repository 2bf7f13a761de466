// Where each of a data path's frames is (free, on a ring, in the application's hands) and
// where its bytes are mapped: the tenant side's frame accounting, checked on every move.

import ExoWire

/// Where one frame of a data path is. Every frame is in exactly one place at a time.
public enum FramePlace: UInt8, Sendable, CaseIterable {
    /// In the transmit pool: `DataPath.transmitSlot()` may hand it out.
    case free
    /// Waiting to be posted on the fill ring (`flush`).
    case fillStaged
    /// On the fill ring or in the daemon's hands, for receiving into.
    case fillPosted
    /// Delivered on rx and held by the application as a ``ReceivedPacket``.
    case received
    /// Held by the application as a ``TransmitSlot``.
    case transmitting
    /// Sent by the application, waiting to be posted on the tx ring (`flush`).
    case txStaged
    /// On the tx ring or in the daemon's hands until the completion ring returns it.
    case txPosted
}

/// Where a frame goes when the application or the completion ring lets go of it.
enum FrameHome: UInt8 {
    /// A receive buffer: back to the fill ring.
    case fill
    /// A transmit buffer: back to the transmit pool.
    case transmitPool
}

/// The frames of one data path: numbers, mapped addresses, places and homes, indexed by a
/// local index (`0..<count`), plus a dense lookup from pool frame number to local index.
///
/// Unsafe invariant: `bases[i]` points at `frameSize` writable bytes of a shared mapping
/// owned by a ``MappedFrame`` that the owning ``DataPath`` keeps (pinned against `unmap()`)
/// until after this table and every slot made from it are gone.
struct DataPathFrameTable {
    private(set) var numbers: [FrameNumber] = []
    private(set) var bases: [UnsafeMutableRawPointer] = []
    private(set) var places: [FramePlace] = []
    private(set) var homes: [FrameHome] = []
    /// `lookup[frame - lowest]` is local index + 1, or 0 for a frame not in the table.
    private var lookup: [UInt32] = []
    private var lowest: FrameNumber = 0

    var count: Int { numbers.count }

    /// The local index of pool frame `frame`, or nil when it is not one of ours.
    @inline(__always)
    func local(of frame: FrameNumber) -> Int? {
        let offset = frame &- lowest
        guard frame >= lowest, Int(offset) < lookup.count else { return nil }
        let entry = lookup[Int(offset)]
        return entry == 0 ? nil : Int(entry - 1)
    }

    func contains(_ frame: FrameNumber) -> Bool { local(of: frame) != nil }

    /// Adds frames (control plane: rebuilds the lookup). The caller has checked that none is
    /// already present. Returns the first new local index.
    mutating func add(_ frames: [(number: FrameNumber, base: UnsafeMutableRawPointer)], home: FrameHome, place: FramePlace)
        -> Int
    {
        let first = count
        for frame in frames {
            numbers.append(frame.number)
            bases.append(frame.base)
            places.append(place)
            homes.append(home)
        }
        lowest = numbers.min() ?? 0
        let highest = numbers.max() ?? 0
        lookup = Array(repeating: 0, count: Int(highest - lowest) + 1)
        for (local, number) in numbers.enumerated() { lookup[Int(number - lowest)] = UInt32(local + 1) }
        return first
    }

    @inline(__always)
    func place(_ local: Int) -> FramePlace { places[local] }

    @inline(__always)
    func home(_ local: Int) -> FrameHome { homes[local] }

    /// Moves a frame, checking that it is where the caller says it is (a mismatch is a bug
    /// in this library: the checks on hostile input happen before any move).
    @inline(__always)
    mutating func move(_ local: Int, from expected: FramePlace, to place: FramePlace) {
        precondition(places[local] == expected, "frame accounting: frame is not where it should be")
        places[local] = place
    }

    /// Frames per place.
    func census() -> FrameCensus {
        var census = FrameCensus()
        for place in places { census.counts[Int(place.rawValue)] += 1 }
        return census
    }
}

/// How many of a data path's frames are in each place (`DataPath.census()`).
public struct FrameCensus: Equatable, Sendable, CustomStringConvertible {
    fileprivate(set) var counts = [Int](repeating: 0, count: FramePlace.allCases.count)

    /// No frames anywhere.
    public init() {}

    /// Frames in `place`.
    public subscript(place: FramePlace) -> Int { counts[Int(place.rawValue)] }

    /// All frames.
    public var total: Int { counts.reduce(0, +) }

    public var description: String {
        FramePlace.allCases.map { "\($0)=\(self[$0])" }.joined(separator: " ")
    }
}
