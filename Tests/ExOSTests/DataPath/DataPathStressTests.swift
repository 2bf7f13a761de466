// 100,000 packets through a tenant DataPath and a daemon role on two threads, both sleeping
// on real eventfds when idle: every packet arrives once and in order, every transmission
// completes once, and at the end every frame is accounted for on both sides.

@testable import ExOS
import ExoPlatform
import ExoWire
import Foundation
import Synchronization
import Testing

@Suite struct DataPathStressTests {
    static let total = 100_000
    /// The tenant echoes even-numbered packets in place and sends a fresh packet from the
    /// transmit pool for every multiple of 5.
    static func echoes(_ n: Int) -> Bool { n % 2 == 0 }
    static func fresh(_ n: Int) -> Bool { n % 5 == 0 }
    static let expectedTransmissions = (0..<total).count(where: { echoes($0) }) + (0..<total).count(where: { fresh($0) })

    /// The daemon's loop: deliver numbered packets while fill frames last, check and complete
    /// transmissions, sleep on the tenantToDaemon eventfd (need-wakeup armed) when idle.
    static func runDaemon(_ daemon: DaemonRole, failure: Note) {
        var delivered = 0
        var transmissions = 0
        var sleepsTimedOut = 0
        do {
            while delivered < total || transmissions < expectedTransmissions {
                var progressed = false
                while delivered < total, try daemon.deliver(packetBytes(delivered)) != nil {
                    delivered += 1
                    progressed = true
                }
                for (frame, bytes) in try daemon.takeTransmitted() {
                    guard bytes.count == 16, bytes[8..<16].allSatisfy({ $0 == 0xAB }) || bytes[8..<16].allSatisfy({ $0 == 0xCD })
                    else { throw DaemonRoleFailure("transmitted bytes \(bytes) are no packet the tenant sends") }
                    try daemon.complete(frame)
                    transmissions += 1
                    progressed = true
                }
                if progressed { continue }
                let fillEmpty = try daemon.fill.prepareToSleep()
                let txEmpty = try daemon.tx.prepareToSleep()
                if fillEmpty && txEmpty {
                    if try !Wakeup.wait(on: daemon.tenantToDaemon.fd, timeout: .seconds(2)) {
                        sleepsTimedOut += 1
                    if sleepsTimedOut > 3 { throw DaemonRoleFailure("daemon slept through 4 timeouts: lost wakeup") }
                    }
                }
                daemon.fill.clearWakeupRequest()
                daemon.tx.clearWakeupRequest()
            }
        } catch {
            failure.write("\(error) after \(delivered) delivered, \(transmissions) transmissions")
        }
    }

    /// Packet `n`: its number (8 bytes little-endian) then 8 filler bytes.
    static func packetBytes(_ n: Int) -> [UInt8] {
        withUnsafeBytes(of: UInt64(n).littleEndian, Array.init) + [UInt8](repeating: 0x11, count: 8)
    }

    @Test func aHundredThousandPacketsLoseAndDuplicateNoFrame() throws {
        let daemon = try DaemonRole(capacity: 32)
        let path = try daemon.makeDataPath()
        path.spinIterations = 64
        try path.postFill(daemon.makeFrames(0..<48))
        try path.addTransmitFrames(daemon.makeFrames(1000..<1016))
        path.flush()
        let failure = Note()
        let finished = Flag()
        let thread = Thread {
            Self.runDaemon(daemon, failure: failure)
            finished.set()
        }
        thread.start()

        var expected = 0
        var outOfOrder = 0
        var pendingFresh = 0
        var timeouts = 0
        func done() -> Bool { expected == Self.total && path.counters.completed == UInt64(Self.expectedTransmissions) }
        while !done() {
            var handled = 0
            do {
                var batch = path.receive(max: 64)
                while let received = batch.next() {
                    handled += 1
                    let number = received.withBytes { Int(UInt64(littleEndian: $0.unsafeLoadUnaligned(as: UInt64.self))) }
                    if number != expected || received.length != 16 { outOfOrder += 1 }
                    expected += 1
                    if Self.fresh(number) { pendingFresh += 1 }
                    if Self.echoes(number) {
                        var slot = received.reuseForTransmit()
                        slot.withMutableBytes { span in for i in 8..<16 { span.storeBytes(of: 0xAB, toByteOffset: i, as: UInt8.self) } }
                        slot.send(length: 16)
                    } else {
                        received.recycle()
                    }
                }
            }
            while pendingFresh > 0, var slot = path.transmitSlot() {
                slot.withMutableBytes { span in for i in 0..<16 { span.storeBytes(of: 0xCD, toByteOffset: i, as: UInt8.self) } }
                slot.send(length: 16)
                pendingFresh -= 1
                handled += 1
            }
            path.flush()
            if handled == 0 && !done() {  // receive's flush may have reclaimed the last completions
                if try path.wait(timeout: .seconds(2)) == .timedOut {
                    timeouts += 1
                    if timeouts > 3 || failure.text != nil { break }
                }
            }
        }
        while !finished.isSet { usleep(1000) }
        #expect(failure.text == nil)
        #expect(outOfOrder == 0)
        #expect(expected == Self.total)
        #expect(timeouts == 0)
        let counters = path.counters
        #expect(counters.received == UInt64(Self.total))
        #expect(counters.transmitted == UInt64(Self.expectedTransmissions))
        #expect(counters.completed == UInt64(Self.expectedTransmissions))
        #expect(counters.rxForeignFrames + counters.rxBadDescriptors + counters.completionForeignFrames + counters.ringViolations == 0)
        // At rest: every receive frame goes to the daemon (the fill ring holds 32 of the 48,
        // so flush and take until none is staged), every transmit frame is back in the pool,
        // and the daemon holds exactly the fill frames, each once.
        for _ in 0..<4 {
            path.flush()
            try daemon.takeFill()
        }
        let census = path.census()
        #expect(census.total == 64, "\(census)")
        #expect(census[.free] == 16, "\(census)")
        #expect(census[.fillPosted] == 48, "\(census)")
        #expect(Set(daemon.fillStock) == Set(0..<48))
        #expect(daemon.fillStock.count == 48)
    }
}

/// A message one thread writes and another reads.
final class Note: Sendable {
    private let value = Mutex<String?>(nil)
    func write(_ text: String) { value.withLock { $0 = text } }
    var text: String? { value.withLock { $0 } }
}
