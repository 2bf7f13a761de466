// A TAP device the daemon creates for itself: whole Ethernet frames in and out of one
// non-blocking descriptor, and a device that disappears with that descriptor.
import CExoShims
import Glibc

/// A non-persistent TAP device attached to one /dev/net/tun descriptor (O_RDWR, O_NONBLOCK,
/// O_CLOEXEC). Owns the descriptor and closes it on deinit; the device exists exactly as
/// long as this object does.
///
/// Why it is made this way:
/// - `IFF_NO_PI`: each `read` and `write` is one bare Ethernet frame. Without it the driver
///   prepends a 4-byte packet-information header (flags and EtherType), which the guard
///   and demultiplexer would have to parse, and could parse differently from the kernel.
/// - Non-persistent (`TUNSETPERSIST` is never called): the kernel deletes the device when
///   its last descriptor closes, so a daemon that exits, crashes or is SIGKILLed leaves no
///   interface behind, and no one else can attach to it in between. `IFF_TUN_EXCL` makes
///   creation fail (EBUSY) rather than attach to an existing device of the same name.
/// - The descriptor is CLOEXEC so no child process keeps the device alive.
///
/// Configure the link (address-generation mode, MTU, address, up) with `LinkConfigurator`,
/// using `ifindex`. `read` and `write` allocate nothing and take no locks; they may be
/// called from one thread at a time each.
public final class TapDevice: Sendable {
    /// The /dev/net/tun descriptor, closed (deleting the device) when this object goes away.
    private let descriptor: OwnedDescriptor
    /// The descriptor (owned by this object), for epoll: readable when a frame is queued.
    /// Valid exactly as long as this object; do not close it.
    public let fd: Int32
    /// The interface name the kernel gave the device (at most 15 bytes).
    public let name: String
    /// The interface index, for netlink (`LinkConfigurator`, `LinkMonitor`).
    public let ifindex: Int32

    /// Creates a new TAP device. `name` "" lets the kernel choose ("tap0", ...), a pattern
    /// such as "exo%d" is completed by it, and a name that is taken fails with EBUSY
    /// (`SystemError(operation: "TUNSETIFF", errno: EBUSY)`); over 15 bytes: ENAMETOOLONG.
    /// The device starts down, with no addresses.
    public init(name: String = "") throws(SystemError) {
        let tun = OwnedDescriptor(adopting: try Syscall.retrying("open(/dev/net/tun)") {
            open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC)
        })
        var chosen = [CChar](repeating: 0, count: Int(CEXO_IFNAMSIZ))
        _ = try Syscall.retrying("TUNSETIFF") { cexo_tap_attach(tun.raw, name, &chosen) }
        let kernelName = String(decoding: chosen.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let index = if_nametoindex(kernelName)
        guard index != 0 else { throw SystemError.lastError("if_nametoindex(\(kernelName))") }
        descriptor = tun
        fd = tun.raw
        self.name = kernelName
        ifindex = Int32(bitPattern: index)
    }

    /// Reads one queued frame into `buffer` and returns its length, or nil when none is
    /// queued (EAGAIN). A frame longer than `buffer` is truncated to it by the kernel, so
    /// size buffers for the MTU plus the 14-byte Ethernet header.
    public func read(into buffer: inout MutableRawSpan) throws(SystemError) -> Int? {
        while true {
            let result = buffer.withUnsafeMutableBytes { bytes in Glibc.read(fd, bytes.baseAddress, bytes.count) }
            if result >= 0 { return result }
            let error = Glibc.errno
            if error == EAGAIN || error == EWOULDBLOCK { return nil }
            if error != EINTR { throw SystemError(operation: "TAP read", errno: error) }
        }
    }

    /// Whether a frame is queued, without taking it: one `poll` that does not wait. For a
    /// caller that must look but not read (the daemon's data-path watchdog).
    public var hasQueuedFrame: Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return Glibc.poll(&entry, 1, 0) == 1 && entry.revents & Int16(POLLIN) != 0
    }

    /// Whether the device is gone under the descriptor (its link deleted): the descriptor
    /// then polls as an error for good. One `poll` that does not wait.
    public var isDetached: Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return Glibc.poll(&entry, 1, 0) == 1 && entry.revents & Int16(POLLERR | POLLHUP) != 0
    }

    /// Writes `frame`, one whole Ethernet frame, to the kernel, which receives it on this
    /// interface (and counts it as rx). Returns false if the kernel would block (EAGAIN).
    /// A frame shorter than an Ethernet header, or written while the link is down, fails
    /// with the kernel's errno (EINVAL, EIO).
    public func write(_ frame: RawSpan) throws(SystemError) -> Bool {
        while true {
            let result = frame.withUnsafeBytes { bytes in Glibc.write(fd, bytes.baseAddress, bytes.count) }
            if result >= 0 { return true }
            let error = Glibc.errno
            if error == EAGAIN || error == EWOULDBLOCK { return false }
            if error != EINTR { throw SystemError(operation: "TAP write", errno: error) }
        }
    }

    /// The device's mode as the kernel reports it (TUNGETIFF).
    public func mode() throws(SystemError) -> Mode {
        var flags: Int32 = 0
        _ = try Syscall.retrying("TUNGETIFF") { cexo_tap_flags(fd, &flags) }
        return Mode(kernelFlags: flags)
    }

    /// TUN driver flags of a device, decoded.
    public struct Mode: Sendable, Equatable {
        /// IFF_TAP: an Ethernet (layer 2) device rather than a TUN (layer 3) one.
        public let isTap: Bool
        /// IFF_NO_PI clear: frames would carry a 4-byte packet-information prefix.
        public let hasPacketInformation: Bool
        /// IFF_PERSIST: the device would outlive its descriptors.
        public let isPersistent: Bool

        init(kernelFlags flags: Int32) {
            isTap = flags & Int32(CEXO_IFF_TAP) != 0
            hasPacketInformation = flags & Int32(CEXO_IFF_NO_PI) == 0
            isPersistent = flags & Int32(CEXO_IFF_PERSIST) != 0
        }
    }
}
