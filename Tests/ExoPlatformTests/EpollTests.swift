// Specification of the reactor's epoll: tokens come back with the events that happened,
// modify and remove take effect, edge triggering reports once, timeouts return empty.
import ExoPlatform
import Glibc
import Testing

/// Collects one wait's (token, events) pairs.
private func ready(_ epoll: Epoll, timeout: Int32 = 0) throws -> [UInt64: Epoll.Events] {
    var seen: [UInt64: Epoll.Events] = [:]
    try epoll.wait(timeoutMilliseconds: timeout) { token, events in seen[token] = events }
    return seen
}

@Suite struct EpollTests {
    @Test func nothingReadyReturnsNoEventsAfterTheTimeout() throws {
        let epoll = try Epoll()
        let event = try EventFD()
        try epoll.add(event.fd, events: .readable, token: 1)
        let start = MonotonicClock.nanoseconds()
        #expect(try ready(epoll, timeout: 20).isEmpty)
        #expect(MonotonicClock.nanoseconds() - start >= 15_000_000)
    }

    @Test func aSignalledEventFDIsReadableUnderItsToken() throws {
        let epoll = try Epoll()
        let event = try EventFD()
        try epoll.add(event.fd, events: .readable, token: 0xDEAD_BEEF_0000_0001)
        event.signal()
        let seen = try ready(epoll, timeout: 1000)
        #expect(seen.count == 1)
        #expect(seen[0xDEAD_BEEF_0000_0001]?.contains(.readable) == true)
    }

    @Test func modifyChangesTheTokenAndRemoveStopsReports() throws {
        let epoll = try Epoll()
        let event = try EventFD()
        event.signal()
        try epoll.add(event.fd, events: .readable, token: 1)
        try epoll.modify(event.fd, events: .readable, token: 2)
        #expect(Array(try ready(epoll).keys) == [2])
        epoll.remove(event.fd)
        #expect(try ready(epoll).isEmpty)
        epoll.remove(event.fd)  // not registered any more: ignored
    }

    @Test func addingTheSameDescriptorTwiceFailsWithEEXIST() throws {
        let epoll = try Epoll()
        let event = try EventFD()
        try epoll.add(event.fd, events: .readable, token: 1)
        #expect(throws: SystemError(operation: "epoll_ctl(ADD)", errno: EEXIST)) {
            try epoll.add(event.fd, events: .readable, token: 1)
        }
    }

    @Test func levelTriggeredRepeatsButEdgeTriggeredReportsOnce() throws {
        let epoll = try Epoll()
        let level = try EventFD()
        let edge = try EventFD()
        try epoll.add(level.fd, events: .readable, token: 1)
        try epoll.add(edge.fd, events: [.readable, .edgeTriggered], token: 2)
        level.signal()
        edge.signal()
        #expect(Set(try ready(epoll).keys) == [1, 2])
        #expect(Set(try ready(epoll).keys) == [1])  // nothing drained: only level repeats
    }

    @Test func aClosedPeerIsReportedAsHangupAndReadable() throws {
        let pair = try ConnectedPair()
        let epoll = try Epoll()
        try epoll.add(pair.server.raw, events: .readable, token: 7)
        #expect(try ready(epoll).isEmpty)
        pair.client.close()
        let events = try #require(try ready(epoll, timeout: 1000)[7])
        #expect(events.contains(.hangup))
        #expect(events.contains(.readable))
    }

    @Test func aConnectionWithRoomIsWritable() throws {
        let pair = try ConnectedPair()
        let epoll = try Epoll()
        try epoll.add(pair.server.raw, events: .writable, token: 3)
        #expect(try ready(epoll)[3] == .writable)
    }

    @Test func theEpollDescriptorIsCloseOnExec() throws {
        let epoll = try Epoll()
        #expect(isCloseOnExec(epoll.fd))
    }
}
