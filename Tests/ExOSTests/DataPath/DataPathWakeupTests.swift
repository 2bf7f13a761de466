// Specification of need-wakeup on the tenant side: kicks only when the daemon asked, and
// `wait` arms need-wakeup on rx and completion, blocks, and is woken by the daemon's kick.

@testable import ExOS
import ExoPlatform
import ExoWire
import Foundation
import Synchronization
import Testing

@Suite struct DataPathWakeupTests {
    @Test func flushKicksOnlyWhenTheDaemonSetNeedWakeup() throws {
        let daemon = try DaemonRole(capacity: 16)
        let path = try daemon.makeDataPath()
        try path.postFill(daemon.makeFrames(0..<4))
        path.flush()
        #expect(path.counters.kicks == 0)
        #expect(daemon.tenantToDaemon.drain() == 0)
        try daemon.takeFill()
        // The daemon ran out of work and sleeps on fill: the next post must wake it.
        #expect(try daemon.fill.prepareToSleep())
        try daemon.deliver(packet(1))
        do {
            var batch = path.receive()
            batch.next()?.recycle()
        }
        path.flush()
        #expect(path.counters.kicks == 1)
        #expect(daemon.tenantToDaemon.drain() == 1)
        // Awake (it consumed), the daemon clears the flag: no more kicks.
        try daemon.takeFill()
        try daemon.deliver(packet(2))
        do {
            var batch = path.receive()
            batch.next()?.recycle()
        }
        path.flush()
        #expect(path.counters.kicks == 1)
        #expect(daemon.tenantToDaemon.drain() == 0)
    }

    @Test func aTransmitPostKicksASleepingDaemonOnce() throws {
        let daemon = try DaemonRole(capacity: 16)
        let path = try daemon.makeDataPath()
        try path.addTransmitFrames(daemon.makeFrames(0..<3))
        #expect(try daemon.tx.prepareToSleep())
        for _ in 0..<3 { try required(path.transmitSlot(), "slot").send(length: 60) }
        path.flush()
        #expect(path.counters.kicks == 1)
        #expect(daemon.tenantToDaemon.drain() == 1)
        #expect(try daemon.takeTransmitted().count == 3)
    }

    @Test func waitTimesOutWithNeedWakeupArmedAndClearsItAfter() throws {
        let daemon = try DaemonRole(capacity: 16)
        let path = try daemon.makeDataPath()
        path.spinIterations = 4
        let start = ContinuousClock.now
        #expect(try path.wait(timeout: .milliseconds(30)) == .timedOut)
        #expect(ContinuousClock.now - start >= .milliseconds(25))
        #expect(path.counters.sleeps == 1)
        #expect(daemon.layout.memory(of: .rx, unsafeRegion: regionBase(daemon)).sharedFlags == 0)
    }

    @Test func waitReturnsAtOnceWhenInputIsAlreadyThere() throws {
        let daemon = try DaemonRole(capacity: 16)
        let path = try daemon.makeDataPath()
        try path.postFill(daemon.makeFrames(0..<2))
        path.flush()
        try daemon.deliver(packet(0))
        #expect(try path.wait(timeout: .seconds(10)) == .ready)
        #expect(path.counters.sleeps == 0)
    }

    @Test func aSleepingTenantIsWokenByTheDaemonsKick() throws {
        let daemon = try DaemonRole(capacity: 16)
        let path = try daemon.makeDataPath()
        path.spinIterations = 1
        try path.postFill(daemon.makeFrames(0..<2))
        path.flush()
        let base = regionBase(daemon)
        let rxMemory = daemon.layout.memory(of: .rx, unsafeRegion: base)
        let posted = Flag()
        // The daemon waits until the tenant armed need-wakeup on rx, then delivers (and
        // kicks because the flag is set): the tenant must wake long before the timeout.
        let thread = Thread {
            while rxMemory.sharedFlags & RingFlags.needWakeup == 0 { usleep(100) }
            usleep(20_000)
            _ = try? daemon.deliver(packet(9))
            posted.set()
        }
        thread.start()
        let start = ContinuousClock.now
        #expect(try path.wait(timeout: .seconds(20)) == .ready)
        #expect(ContinuousClock.now - start < .seconds(10))
        while !posted.isSet { usleep(100) }  // the daemon thread is done with its role
        #expect(path.counters.sleeps == 1)
        var batch = path.receive()
        let woke = try required(batch.next(), "the delivered packet")
        #expect(woke.length == 64)
    }
}

/// The daemon role's region base (the daemon's own mapping), for inspecting shared words.
func regionBase(_ daemon: DaemonRole) -> UnsafeMutableRawPointer { daemon.regionBase }

/// A flag one thread sets and another reads.
final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .releasing) }
    var isSet: Bool { value.load(ordering: .acquiring) }
}
