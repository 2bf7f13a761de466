// Single ownership of the libnl objects a request builds or the kernel returns — links,
// addresses, abstract addresses and caches — each released exactly once, in deinit.
import CNetlink

/// Owns one reference to a libnl `rtnl_link` (a link as the kernel reported it, or a set of
/// changes to send). Invariant: `pointer` holds one reference, dropped in deinit.
struct LinkObject: ~Copyable {
    let pointer: OpaquePointer

    /// A fresh, empty link object (for a change request).
    init() throws(NetlinkError) {
        guard let link = rtnl_link_alloc() else { throw NetlinkError(operation: "allocate link", code: NLE_NOMEM) }
        pointer = link
    }

    /// The kernel's current view of link `ifindex` (RTM_GETLINK).
    init(kernel socket: borrowing RouteSocket, ifindex: Int32) throws(NetlinkError) {
        var link: OpaquePointer?
        try NetlinkError.check(rtnl_link_get_kernel(socket.pointer, ifindex, nil, &link), "get link ifindex \(ifindex)")
        guard let link else { throw NetlinkError(operation: "get link ifindex \(ifindex)", code: NLE_OBJ_NOTFOUND) }
        pointer = link
    }

    deinit { rtnl_link_put(pointer) }
}

/// Owns one reference to a libnl `nl_addr` (an abstract address: family, bytes, prefix).
/// Invariant: `pointer` holds one reference, dropped in deinit.
struct NetlinkAddress: ~Copyable {
    let pointer: OpaquePointer

    /// An address of `family` (AF_INET, AF_INET6) from its network-order `bytes`.
    init(family: Int32, bytes: [UInt8], prefixLength: Int32) throws(NetlinkError) {
        let built = bytes.withUnsafeBytes { nl_addr_build(family, $0.baseAddress, $0.count) }
        guard let built else { throw NetlinkError(operation: "build address", code: NLE_NOMEM) }
        nl_addr_set_prefixlen(built, prefixLength)
        pointer = built
    }

    deinit { nl_addr_put(pointer) }
}

/// Owns one reference to a libnl `rtnl_addr` (an interface address to add or delete).
/// Invariant: `pointer` holds one reference, dropped in deinit.
struct AddressObject: ~Copyable {
    let pointer: OpaquePointer

    init() throws(NetlinkError) {
        guard let address = rtnl_addr_alloc() else { throw NetlinkError(operation: "allocate address", code: NLE_NOMEM) }
        pointer = address
    }

    deinit { rtnl_addr_put(pointer) }
}

/// Owns a libnl `nl_cache` filled from the kernel; its objects live as long as it.
/// Invariant: `pointer` is a live cache until deinit frees it (and its objects' references).
struct ObjectCache: ~Copyable {
    let pointer: OpaquePointer

    /// Every interface address the kernel has (RTM_GETADDR dump, all families).
    init(addressesFrom socket: borrowing RouteSocket) throws(NetlinkError) {
        var cache: OpaquePointer?
        try NetlinkError.check(rtnl_addr_alloc_cache(socket.pointer, &cache), "list addresses")
        guard let cache else { throw NetlinkError(operation: "list addresses", code: NLE_NOMEM) }
        pointer = cache
    }

    deinit { nl_cache_free(pointer) }

    /// Calls `body` with each object in the cache; the pointer is valid during the call only.
    func forEach(_ body: (OpaquePointer) -> Void) {
        var object = nl_cache_get_first(pointer)
        while let current = object {
            body(current)
            object = nl_cache_get_next(current)
        }
    }
}
