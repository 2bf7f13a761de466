// Specification of LinkMonitor against the real kernel: it starts from the link's current
// state, reports down and up done by `ip`, reports deletion once, and ignores other links.
import ExoPlatform
import Glibc
import Testing

/// Drains `monitor` until `stop` accepts an event or `milliseconds` pass; returns every event.
private func events(from monitor: LinkMonitor, milliseconds: Int, until stop: (LinkEvent) -> Bool) throws -> [LinkEvent] {
    var seen: [LinkEvent] = []
    let deadline = MonotonicClock.nanoseconds() + UInt64(milliseconds) * 1_000_000
    while MonotonicClock.nanoseconds() < deadline {
        _ = waitUntilReadable(monitor.fd, milliseconds: 50)
        let batch = try monitor.drain()
        seen += batch
        if batch.contains(where: stop) { break }
    }
    return seen
}

@Suite struct LinkMonitorTests {
    @Test func itStartsFromTheLinksCurrentStateWithNothingQueued() throws {
        let configurator = try LinkConfigurator()
        let link = try ConfiguredTap(configurator: configurator)
        let monitor = try LinkMonitor(ifindex: link.tap.ifindex)
        #expect(monitor.current == .state(up: true, running: true))
        #expect(fcntl(monitor.fd, F_GETFL) & O_NONBLOCK != 0)
        #expect(try monitor.drain() == [])
    }

    @Test func downAndUpByIPAreReportedInOrder() throws {
        let configurator = try LinkConfigurator()
        let link = try ConfiguredTap(configurator: configurator)
        let monitor = try LinkMonitor(ifindex: link.tap.ifindex)

        #expect(try runIP(["link", "set", link.tap.name, "down"]).status == 0)
        let down = try events(from: monitor, milliseconds: 2000) { $0 == .state(up: false, running: false) }
        #expect(down == [.state(up: false, running: false)])

        #expect(try runIP(["link", "set", link.tap.name, "up"]).status == 0)
        let up = try events(from: monitor, milliseconds: 2000) { $0 == .state(up: true, running: true) }
        #expect(up.last == .state(up: true, running: true))
        #expect(monitor.current == .state(up: true, running: true))
    }

    @Test func deletionIsReportedOnceAndIsFinal() throws {
        let configurator = try LinkConfigurator()
        var link: ConfiguredTap? = try ConfiguredTap(configurator: configurator)
        let monitor = try LinkMonitor(ifindex: try #require(link).tap.ifindex)
        link = nil  // closes the TAP descriptor: the kernel deletes the device

        let seen = try events(from: monitor, milliseconds: 2000) { $0 == .deleted }
        #expect(seen.last == .deleted)
        #expect(seen.filter { $0 == .deleted }.count == 1)
        #expect(monitor.current == .deleted)
        #expect(try monitor.drain() == [])
    }

    @Test func anotherLinksChangesAreNotReported() throws {
        let configurator = try LinkConfigurator()
        let watched = try ConfiguredTap(configurator: configurator)
        let other = try ConfiguredTap(configurator: configurator)
        let monitor = try LinkMonitor(ifindex: watched.tap.ifindex)

        #expect(try runIP(["link", "set", other.tap.name, "down"]).status == 0)
        try configurator.setMTU(1300, ifindex: other.tap.ifindex)
        #expect(try events(from: monitor, milliseconds: 300) { _ in true } == [])
        #expect(monitor.current == .state(up: true, running: true))
        #expect(monitor.currentMTU == 1400)
    }

    @Test func anMTUChangeIsReportedOnceWithTheNewMTU() throws {
        let configurator = try LinkConfigurator()
        let watched = try ConfiguredTap(configurator: configurator)
        let monitor = try LinkMonitor(ifindex: watched.tap.ifindex)
        #expect(monitor.currentMTU == 1400)

        try configurator.setMTU(1300, ifindex: watched.tap.ifindex)
        #expect(try events(from: monitor, milliseconds: 1000) { $0 == .mtu(1300) } == [.mtu(1300)])
        // Notifications that change neither state nor MTU report nothing.
        try configurator.setMTU(1300, ifindex: watched.tap.ifindex)
        #expect(try events(from: monitor, milliseconds: 300) { _ in true } == [])
        #expect(monitor.currentMTU == 1300)
        #expect(monitor.current == .state(up: true, running: true))
    }

    /// With a tiny receive buffer, a burst of another link's notifications overflows the
    /// socket (ENOBUFS) and the watched link's own change is lost with them; the monitor
    /// must then ask the kernel, and still report the change.
    @Test func aChangeLostToABufferOverflowIsStillReported() throws {
        let configurator = try LinkConfigurator()
        let watched = try ConfiguredTap(configurator: configurator)
        let other = try ConfiguredTap(configurator: configurator)
        let monitor = try LinkMonitor(ifindex: watched.tap.ifindex)
        var smallest: Int32 = 1
        #expect(setsockopt(monitor.fd, SOL_SOCKET, SO_RCVBUF, &smallest, socklen_t(MemoryLayout<Int32>.size)) == 0)

        for round in 0..<200 { try configurator.setUp(round % 2 == 1, ifindex: other.tap.ifindex) }
        try configurator.setUp(false, ifindex: watched.tap.ifindex)

        let seen = try events(from: monitor, milliseconds: 2000) { $0 == .state(up: false, running: false) }
        #expect(seen == [.state(up: false, running: false)])
        #expect(monitor.current == .state(up: false, running: false))
    }

    @Test func watchingALinkThatDoesNotExistIsRefused() throws {
        var tap: TapDevice? = try TapDevice(name: TestNames.uniqueTap())
        let ifindex = try #require(tap).ifindex
        tap = nil
        let error = try #require(throws: NetlinkError.self) { try LinkMonitor(ifindex: ifindex) }
        #expect(error.isNotFound)
    }
}
