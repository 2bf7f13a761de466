// One connected NETLINK_ROUTE socket from libnl (struct nl_sock), freed exactly once: the
// handle every link, address and monitor request goes through.
import CNetlink
import Glibc

/// Owns a libnl `nl_sock` connected to NETLINK_ROUTE.
///
/// Invariant: `pointer` is a live `nl_sock` from `nl_socket_alloc`, connected, until deinit
/// frees it (which also closes its descriptor). Being `~Copyable`, only one value owns it.
/// Not thread-safe: libnl sockets carry sequence numbers and buffers; use one per thread.
struct RouteSocket: ~Copyable {
    let pointer: OpaquePointer

    /// Allocates and connects a socket (CLOEXEC, as libnl ≥ 3.2.26 opens them).
    init() throws(NetlinkError) {
        guard let socket = nl_socket_alloc() else {
            throw NetlinkError(operation: "allocate netlink socket", code: NLE_NOMEM)
        }
        let result = nl_connect(socket, NETLINK_ROUTE)
        if result < 0 {
            nl_socket_free(socket)
            throw NetlinkError(operation: "connect NETLINK_ROUTE socket", code: result)
        }
        pointer = socket
    }

    deinit { nl_socket_free(pointer) }

    /// The socket's descriptor, owned by this value (closed when it is freed).
    var fd: Int32 { nl_socket_get_fd(pointer) }

    /// Joins RTNLGRP_LINK and makes the socket non-blocking: the epoll source of a link
    /// watcher (LinkMonitor, LinkArrivalWatch), whose callbacks are set before.
    func subscribeToLinks() throws(NetlinkError) {
        try NetlinkError.check(nl_socket_add_membership(pointer, Int32(RTNLGRP_LINK.rawValue)), "join RTNLGRP_LINK")
        try NetlinkError.check(nl_socket_set_nonblocking(pointer), "make netlink socket non-blocking")
    }
}
