// The ring target: the daemon's data path serving a tenant that writes anything at all into
// its ring region. Bytes become a script of tenant steps; ExoDaemon's `RingFuzzScenario`
// runs it on a fresh data plane and checks the daemon's promises.

import ExoDaemon
import ExoWire

enum RingDescriptorFuzzing {
    /// Most steps one input runs (each kick serves up to a few batches).
    static let maximumSteps = 64

    static func run(_ bytes: UnsafeRawBufferPointer) throws(FuzzFinding) -> FuzzVerdict {
        var input = FuzzBytes(bytes)
        // 1 to 16 slots: small rings reach full, empty and wraparound in few steps.
        let capacity = UInt32(1) << (input.byte() % 5)
        var steps: [RingFuzzStep] = []
        while !input.isEmpty && steps.count < maximumSteps { steps.append(step(&input)) }
        do {
            let moved = try RingFuzzScenario.run(capacity: capacity, steps: steps)
            return moved.sent + moved.delivered > 0 ? .accepted : .refused
        } catch {
            switch error {
            case .setUp(let reason): throw FuzzFinding("set-up failed (resources leaked by earlier runs?): \(reason)")
            case .broken(let property): throw FuzzFinding(property)
            }
        }
    }

    static func step(_ input: inout FuzzBytes) -> RingFuzzStep {
        let opcode = input.byte()
        let ring = RingKind.allCases[Int(opcode >> 4) % RingKind.allCases.count]
        switch opcode % 8 {
        case 0, 1:
            let word = RingHeaderWord.allCases[Int(opcode >> 6) % RingHeaderWord.allCases.count]
            return .header(
                ring, word, opcode % 8 == 0 ? .advance(Int8(bitPattern: input.byte())) : .absolute(input.uint32()))
        case 2, 3:
            let slot = UInt32(input.byte())
            // A small frame number mostly (the pool has 24); the fuzzer can still reach any.
            let frame = opcode % 8 == 2 ? UInt32(input.byte()) : input.uint32()
            return .descriptor(
                ring, slot: slot,
                RingDescriptor(frame: frame, length: UInt32(input.uint16()), flags: UInt32(input.byte() >> 7)))
        case 4:
            let frame = FrameNumber(input.byte())
            return .frameBytes(frame, bytes: Array(input.take(Int(input.byte()))))
        case 5:
            return .wire(Array(input.take(Int(input.uint16() % 1600))))
        default:
            return .kick
        }
    }
}
