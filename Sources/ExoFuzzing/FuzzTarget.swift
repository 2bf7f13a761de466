// The fuzz targets, one entry point each: the libFuzzer driver (Sources/exo-fuzz) and the
// corpus-replay tests (Tests/FuzzCorpusTests) call exactly these functions.

/// One fuzzed surface of the daemon: a function that takes any byte string, must never trap,
/// and checks a property of what it parsed (docs/RELIABILITY.md, "Fuzzing").
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// A control-socket record through `MessageCodec.decode` (and back, when it decodes).
    case controlMessage = "control-message"
    /// A hostile tenant's writes to its ring region, served by the daemon's data path.
    case ringDescriptors = "ring-descriptors"
    /// A frame through the strict parse (`InspectedPacket`) and its layers' representations.
    case packetParser = "packet-parser"
    /// Filter atoms through validation and the DPF trie compiler, matched against a frame.
    case filterCompiler = "filter-compiler"
    /// A configuration file through `ConfigLoader.parse` and `ConfigValidator.check`.
    case configLoading = "config-loading"

    /// Runs this target on `bytes`, which are only borrowed for the call. Returns whether the
    /// input got all the way through (for the tests of the seeds); throws only when a property
    /// the target checks is broken (a bug). A trap is a bug too: the fuzzer records a crash.
    @discardableResult
    public func run(_ bytes: UnsafeRawBufferPointer) throws(FuzzFinding) -> FuzzVerdict {
        switch self {
        case .controlMessage: try ControlMessageFuzzing.run(bytes)
        case .ringDescriptors: try RingDescriptorFuzzing.run(bytes)
        case .packetParser: try PacketParserFuzzing.run(bytes)
        case .filterCompiler: try FilterCompilerFuzzing.run(bytes)
        case .configLoading: try ConfigLoadingFuzzing.run(bytes)
        }
    }

    /// Runs this target on an array's bytes.
    @discardableResult
    public func run(_ bytes: [UInt8]) throws(FuzzFinding) -> FuzzVerdict {
        let result: Result<FuzzVerdict, FuzzFinding> = bytes.withUnsafeBytes { raw in
            Result { () throws(FuzzFinding) -> FuzzVerdict in try run(raw) }
        }
        return try result.get()
    }
}

/// How far an input got, for checking that seeds are what they claim to be.
public enum FuzzVerdict: Equatable, Sendable {
    /// Refused somewhere (not a record, not a frame, no filter matched, a broken file, no
    /// packet moved): the refusal itself was checked.
    case refused
    /// Went all the way: decoded, accepted, matched, loaded and valid, or a packet moved
    /// through the tenant's rings.
    case accepted
}

/// A property a fuzz target checks that did not hold: a bug, described for the crash report.
public struct FuzzFinding: Error, Equatable, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}
