// The daemon's epoll set and what its tokens mean. Every descriptor the loop watches is
// registered as a `WakeSource`; a wait reports sources, never raw tokens, so the meaning of
// a token is written once, here.

import ExoPlatform

/// Something the loop watches.
enum WakeSource: Equatable, Hashable {
    /// The control socket's listener: connections to accept.
    case listener
    /// The signalfd (SIGTERM, SIGINT, SIGHUP).
    case signals
    /// The systemd watchdog's timer.
    case watchdog
    /// The NIC's descriptor (TAP or packet socket): packets to read.
    case nic
    /// The NIC's link monitor (rtnetlink): the link changed.
    case link
    /// The fragment reassembly's expiry timer.
    case reassembly
    /// The impairment's release timer (delayed packets due).
    case impairment
    /// The rate timer (a tenant held back by its tx rate may send again).
    case rates
    /// The revocation deadline timer (RevocationDesk).
    case revocations
    /// A control session's socket, by connection id.
    case session(UInt64)
    /// A session's tenant-to-daemon eventfd (its tx kick), by connection id.
    case dataPath(UInt64)
    /// The metrics endpoint's TCP listener.
    case metricsListener
    /// A metrics scraper's connection, by the endpoint's own connection number (from 1).
    case metricsConnection(UInt64)
}

/// The epoll set of the daemon's loop. One thread; not shared.
final class Reactor {
    private let epoll: Epoll

    init() throws(SystemError) {
        epoll = try Epoll()
    }

    func watch(_ fd: Int32, as source: WakeSource, for events: Epoll.Events) throws(SystemError) {
        try epoll.add(fd, events: events, token: Self.token(source))
    }

    /// Changes the events watched on a registered descriptor.
    func rewatch(_ fd: Int32, as source: WakeSource, for events: Epoll.Events) throws(SystemError) {
        try epoll.modify(fd, events: events, token: Self.token(source))
    }

    func unwatch(_ fd: Int32) {
        epoll.remove(fd)
    }

    /// Waits up to `timeoutMilliseconds` (-1: forever, 0: not at all) and reports each ready
    /// source. A token no source has (none is registered so) is not reported.
    func wait(timeoutMilliseconds: Int32, _ body: (WakeSource, Epoll.Events) -> Void) throws(SystemError) {
        try epoll.wait(timeoutMilliseconds: timeoutMilliseconds) { token, events in
            if let source = Self.source(token) { body(source, events) }
        }
    }

    // The token layout: small constants for the daemon's own descriptors; a session's
    // connection id (from `firstConnectionID` up) for its socket; the same id with
    // `dataPathBit` set for its data path's eventfd; a metrics connection's number with
    // `metricsBit` set.
    private static let dataPathBit: UInt64 = 1 << 62
    private static let metricsBit: UInt64 = 1 << 61
    private static let fixed: [WakeSource] = [
        .listener, .signals, .watchdog, .nic, .link, .reassembly, .impairment, .rates, .revocations, .metricsListener,
    ]
    /// Connection ids start here (SessionRegistry), above every fixed token.
    static let firstConnectionID: UInt64 = 1_000

    static func token(_ source: WakeSource) -> UInt64 {
        switch source {
        case .session(let id):
            precondition(id >= firstConnectionID && id & dataPathBit == 0, "connection id out of range")
            return id
        case .dataPath(let id):
            precondition(id >= firstConnectionID && id & dataPathBit == 0, "connection id out of range")
            return id | dataPathBit
        case .metricsConnection(let number):
            precondition(number > 0 && number < metricsBit, "metrics connection number out of range")
            return number | metricsBit
        default:
            return UInt64(fixed.firstIndex(of: source)! + 1)
        }
    }

    static func source(_ token: UInt64) -> WakeSource? {
        if token & dataPathBit != 0 { return .dataPath(token & ~dataPathBit) }
        if token & metricsBit != 0 { return .metricsConnection(token & ~metricsBit) }
        if token >= firstConnectionID { return .session(token) }
        guard token >= 1, token <= UInt64(fixed.count) else { return nil }
        return fixed[Int(token) - 1]
    }
}
