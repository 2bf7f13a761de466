// Watches for a link of a given name to appear (or go) through an rtnetlink socket
// subscribed to RTNLGRP_LINK, so a daemon whose link was deleted can reattach when it returns.
import CNetlink
import Glibc

/// Reports that the kernel announced a link called `name` (RTM_NEWLINK or RTM_DELLINK), and
/// says which link of that name exists now. Owns two netlink sockets (closed on deinit): one
/// subscribed to RTNLGRP_LINK, non-blocking, whose `fd` goes into epoll; one for queries.
///
/// Subscribe first, then ask (`present()`): a link created between the two is seen by one or
/// the other. When the kernel dropped notifications (ENOBUFS), `drain()` reports a change, so
/// the caller asks again and misses nothing for good. Not `Sendable`: one thread.
public final class LinkArrivalWatch {
    /// The interface name watched for.
    public let name: String
    private let notifications: RouteSocket
    private let queries: RouteSocket
    private let inbox: NamedLinkInbox

    /// The subscribed socket's descriptor (owned by this object): readable when
    /// notifications are queued; call `drain()` then.
    public var fd: Int32 { notifications.fd }

    public init(name: String) throws(NetlinkError) {
        self.name = name
        let inbox = NamedLinkInbox(name: name)
        let notifications = try RouteSocket()
        try inbox.attach(to: notifications)
        try notifications.subscribeToLinks()
        self.inbox = inbox
        self.notifications = notifications
        queries = try RouteSocket()
    }

    /// The ifindex of the link called `name` now, nil when there is none.
    public func present() throws(NetlinkError) -> Int32? {
        var link: OpaquePointer?
        let result = rtnl_link_get_kernel(queries.pointer, 0, name, &link)
        if result == -NLE_NODEV || result == -NLE_OBJ_NOTFOUND { return nil }
        try NetlinkError.check(result, "get link \(name)")
        guard let link else { return nil }
        defer { rtnl_link_put(link) }
        return rtnl_link_get_ifindex(link)
    }

    /// Reads every queued notification (never blocks). Returns whether one named the link,
    /// or notifications were lost: either way, ask `present()` again.
    public func drain() throws(NetlinkError) -> Bool {
        var named = false
        while true {
            let received = nl_recvmsgs_report(notifications.pointer, inbox.callbacks)
            if received == 0 || received == -NLE_AGAIN { break }
            if received == -NLE_NOMEM {
                named = true
                continue
            }
            try NetlinkError.check(received, "receive link notifications")
        }
        defer { inbox.named = false }
        return named || inbox.named
    }
}

/// Where libnl's receive callback notes that a message named the watched link.
///
/// Invariant: the callback gets this object as an unretained pointer; sound because it runs
/// only inside `nl_recvmsgs_report` called by the `LinkArrivalWatch` that owns both this
/// object and the socket. The message is read only during the callback; libnl checks the
/// attribute's length and `nla_strcmp` compares within it.
private final class NamedLinkInbox {
    let name: String
    var named = false
    /// The callback set (nl_cb) bound to this inbox; one reference, dropped in deinit.
    private(set) var callbacks: OpaquePointer?

    init(name: String) { self.name = name }

    deinit { if let callbacks { nl_cb_put(callbacks) } }

    func attach(to socket: borrowing RouteSocket) throws(NetlinkError) {
        nl_socket_disable_seq_check(socket.pointer)
        let context = Unmanaged.passUnretained(self).toOpaque()
        try NetlinkError.check(
            nl_socket_modify_cb(socket.pointer, NL_CB_VALID, NL_CB_CUSTOM, namedLinkCallback, context), "set netlink callback")
        callbacks = nl_socket_get_cb(socket.pointer)
        if callbacks == nil { throw NetlinkError(operation: "get netlink callbacks", code: NLE_NOMEM) }
    }

    func receive(_ header: UnsafeMutablePointer<nlmsghdr>) {
        let type = Int(header.pointee.nlmsg_type)
        guard type == Int(RTM_NEWLINK) || type == Int(RTM_DELLINK) else { return }
        guard Int(nlmsg_datalen(header)) >= MemoryLayout<ifinfomsg>.size,
            let attribute = nlmsg_find_attr(header, Int32(MemoryLayout<ifinfomsg>.size), Int32(IFLA_IFNAME))
        else { return }
        if nla_strcmp(attribute, name) == 0 { named = true }
    }
}

/// libnl's NL_CB_VALID callback: hands each message to the `NamedLinkInbox` in `argument`.
private let namedLinkCallback: nl_recvmsg_msg_cb_t = { message, argument in
    if let message, let argument, let header = nlmsg_hdr(message) {
        Unmanaged<NamedLinkInbox>.fromOpaque(argument).takeUnretainedValue().receive(header)
    }
    return Int32(NL_OK.rawValue)
}
