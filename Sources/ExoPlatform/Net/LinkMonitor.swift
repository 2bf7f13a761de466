// Watches one link through an rtnetlink socket subscribed to RTNLGRP_LINK, so a daemon
// learns that its link went down or was deleted under it and can report it, not crash.
import CNetlink
import Glibc

/// What happened to a watched link.
public enum LinkEvent: Sendable, Equatable {
    /// Its flags changed: `up` is IFF_UP (administrative), `running` IFF_RUNNING (operational).
    case state(up: Bool, running: Bool)
    /// It no longer exists (deleted, or moved to another network namespace). Final.
    case deleted
    /// Its MTU changed to this many bytes (IFLA_MTU).
    case mtu(UInt32)
}

/// Reports `LinkEvent`s for one ifindex. Owns two netlink sockets (closed on deinit): one
/// subscribed to RTNLGRP_LINK, non-blocking, whose `fd` goes into epoll; one for queries.
///
/// Only changes are reported: the kernel sends RTM_NEWLINK for many reasons (MTU, address,
/// statistics), and `drain()` turns them into an event only when (up, running) or the MTU
/// differs from the last reported, or the link is deleted. If the kernel dropped notifications
/// because the socket's buffer overflowed (ENOBUFS), `drain()` asks the kernel for the
/// link's current state instead, so no transition is missed for good. Not `Sendable`:
/// use it from one thread (the reactor's).
public final class LinkMonitor {
    /// The watched interface index.
    public let ifindex: Int32
    /// The last state reported (by `init` or `drain`): `.state` or, finally, `.deleted`.
    public private(set) var current: LinkEvent
    /// The last MTU reported (by `init` or a `.mtu` event from `drain`).
    public private(set) var currentMTU: UInt32

    private let notifications: RouteSocket
    private let queries: RouteSocket
    private let inbox: LinkInbox

    /// The subscribed socket's descriptor (owned by this object): readable when
    /// notifications are queued; call `drain()` then.
    public var fd: Int32 { notifications.fd }

    /// Subscribes, then reads the link's state into `current` (in that order, so no change
    /// falls between the two). Throws a `NetlinkError` with `isNotFound` if there is no such link.
    public init(ifindex: Int32) throws(NetlinkError) {
        self.ifindex = ifindex
        let inbox = LinkInbox(ifindex: ifindex)
        let notifications = try RouteSocket()
        try inbox.attach(to: notifications)
        try notifications.subscribeToLinks()
        let queries = try RouteSocket()
        let link = try LinkObject(kernel: queries, ifindex: ifindex)
        let flags = rtnl_link_get_flags(link.pointer)
        current = .state(up: flags & UInt32(IFF_UP) != 0, running: flags & UInt32(IFF_RUNNING) != 0)
        currentMTU = rtnl_link_get_mtu(link.pointer)
        self.inbox = inbox
        self.notifications = notifications
        self.queries = queries
    }

    /// Reads every queued notification (never blocks) and returns the watched link's
    /// changes, oldest first; empty if none. After `.deleted`, always empty.
    public func drain() throws(NetlinkError) -> [LinkEvent] {
        var events: [LinkEvent] = []
        while current != .deleted {
            let received = nl_recvmsgs_report(notifications.pointer, inbox.callbacks)
            if received == 0 || received == -NLE_AGAIN { break }
            if received == -NLE_NOMEM {
                inbox.reports.removeAll()
                try resynchronise(into: &events)
                continue
            }
            try NetlinkError.check(received, "receive link notifications")
            for report in inbox.reports { record(report, into: &events) }
            inbox.reports.removeAll()
        }
        return events
    }

    private func record(_ report: LinkEvent, into events: inout [LinkEvent]) {
        guard current != .deleted else { return }
        if case .mtu(let mtu) = report {
            guard mtu != currentMTU else { return }
            currentMTU = mtu
            events.append(report)
            return
        }
        guard report != current else { return }
        current = report
        events.append(report)
    }

    /// After lost notifications: the kernel's word on whether the link exists and its flags.
    private func resynchronise(into events: inout [LinkEvent]) throws(NetlinkError) {
        do {
            let link = try LinkObject(kernel: queries, ifindex: ifindex)
            let flags = rtnl_link_get_flags(link.pointer)
            record(.state(up: flags & UInt32(IFF_UP) != 0, running: flags & UInt32(IFF_RUNNING) != 0), into: &events)
            record(.mtu(rtnl_link_get_mtu(link.pointer)), into: &events)
        } catch where error.isNotFound {
            record(.deleted, into: &events)
        }
    }
}

/// Where libnl's receive callback leaves what it parsed: the RTM_NEWLINK / RTM_DELLINK
/// messages about one ifindex, as `LinkEvent`s.
///
/// Invariant: the callback gets this object as an unretained pointer; that is sound
/// because it runs only inside `nl_recvmsgs_report` called by the `LinkMonitor` that owns
/// both this object and the socket. The message pointer libnl passes is valid during the
/// callback only, and its payload is read only after its length was checked.
private final class LinkInbox {
    let ifindex: Int32
    var reports: [LinkEvent] = []
    /// The callback set (nl_cb) bound to this inbox; one reference, dropped in deinit.
    private(set) var callbacks: OpaquePointer?

    init(ifindex: Int32) {
        self.ifindex = ifindex
        reports.reserveCapacity(16)
    }

    deinit { if let callbacks { nl_cb_put(callbacks) } }

    /// Routes every valid message on `socket` to `receive` (sequence checks off: these are
    /// unsolicited notifications).
    func attach(to socket: borrowing RouteSocket) throws(NetlinkError) {
        nl_socket_disable_seq_check(socket.pointer)
        let context = Unmanaged.passUnretained(self).toOpaque()
        try NetlinkError.check(
            nl_socket_modify_cb(socket.pointer, NL_CB_VALID, NL_CB_CUSTOM, linkInboxCallback, context), "set netlink callback")
        callbacks = nl_socket_get_cb(socket.pointer)
        if callbacks == nil { throw NetlinkError(operation: "get netlink callbacks", code: NLE_NOMEM) }
    }

    func receive(_ header: UnsafeMutablePointer<nlmsghdr>) {
        let type = Int(header.pointee.nlmsg_type)
        guard type == Int(RTM_NEWLINK) || type == Int(RTM_DELLINK) else { return }
        guard Int(nlmsg_datalen(header)) >= MemoryLayout<ifinfomsg>.size, let payload = nlmsg_data(header) else { return }
        let info = payload.loadUnaligned(as: ifinfomsg.self)
        guard info.ifi_index == ifindex else { return }
        if type == Int(RTM_DELLINK) {
            reports.append(.deleted)
        } else {
            reports.append(.state(up: info.ifi_flags & UInt32(IFF_UP) != 0, running: info.ifi_flags & UInt32(IFF_RUNNING) != 0))
            // IFLA_MTU follows the ifinfomsg; libnl finds and length-checks the attribute.
            if let attribute = nlmsg_find_attr(header, Int32(MemoryLayout<ifinfomsg>.size), Int32(IFLA_MTU)),
                nla_len(attribute) >= 4
            {
                reports.append(.mtu(nla_get_u32(attribute)))
            }
        }
    }
}

/// libnl's NL_CB_VALID callback: hands each message to the `LinkInbox` in `argument`.
private let linkInboxCallback: nl_recvmsg_msg_cb_t = { message, argument in
    if let message, let argument, let header = nlmsg_hdr(message) {
        Unmanaged<LinkInbox>.fromOpaque(argument).takeUnretainedValue().receive(header)
    }
    return Int32(NL_OK.rawValue)
}
