// The commands of exo-testclient. Each returns "ok ..." or "err <reason>"; the integration
// tests match on these words.

import ExoPlatform
import ExoWire
import Glibc

final class ScriptedTenant {
    let socketPath: String
    var socket: OwnedDescriptor?
    var nextRequest: UInt32 = 1
    var version: UInt16 = WireLimits.maxVersion
    /// Per frame: the descriptor the daemon sent (kept open on purpose) and its mapping.
    var descriptors: [FrameNumber: OwnedDescriptor] = [:]
    var mappings: [FrameNumber: MappedMemory] = [:]
    var events: [Event] = []
    /// The offers of the last `offers` listing not yet redeemed by `redeem-offer`.
    var offered: [OfferInfo] = []
    /// Replies to requests `map-unread` sent and nobody read yet.
    var unreadReplies = 0
    /// The data path, once `dp-open` succeeded.
    var dataPath: TenantDataPath?
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: WireLimits.maxMessageSize + 1, alignment: 16)

    init(socketPath: String) { self.socketPath = socketPath }

    func run(_ command: String, _ args: [String]) -> String {
        let frames = args.compactMap { FrameNumber($0) }
        switch command {
        case "attach": return attach(tenant: args.first ?? "", role: .tenant)
        case "attach-operator": return attach(tenant: "", role: .operator)
        case "pid": return "ok pid=\(getpid())"
        case "alloc": return describe(request(.allocate(frames: frames)))
        case "allocany": return describe(request(.allocateAny(count: UInt32(args.first ?? "1") ?? 1)))
        case "unref": return describe(request(.unref(frames: frames)))
        case "map": return map(frames)
        case "grant":
            guard args.count == 3, let frame = FrameNumber(args[0]) else { return "err usage" }
            let rights: Rights = args[1] == "rw" ? [.read, .write] : args[1] == "rwg" ? .owner : [.read]
            return describe(request(.grant(frame: frame, rights: rights, audience: args[2])))
        case "redeem": return describe(request(.redeem(token: hexBytes(args.first ?? ""))))
        case "fill": return fill(frames.first, byte: UInt8(args.last ?? "0") ?? 0)
        case "read": return read(frames.first)
        case "try-map-shared-writable": return tryMapSharedWritable(frames.first)
        case "try-reopen-writable": return tryReopenWritable(frames.first)
        case "private-write": return privateWrite(frames.first)
        case "try-open": return tryOpen(args.first ?? "", writable: args.count > 1 && args[1] == "rw")
        case "inodes": return inodes()
        case "inode": return inode(frames.first)
        case "disconnect":
            socket?.close()
            socket = nil
            return "ok"
        case "events": return "ok " + events.map { "\($0)" }.joined(separator: ";")
        default: return runDataPath(command, args) ?? runFlood(command, args) ?? "err unknown-command"
        }
    }

    // MARK: protocol

    private func attach(tenant: String, role: PeerRole) -> String {
        do {
            socket = try UnixSeqpacket.connect(path: socketPath)
        } catch {
            return "err connect errno=\(error.errno)"
        }
        let hello = Hello(minVersion: WireLimits.minVersion, maxVersion: WireLimits.maxVersion,
            features: FeatureBits(), role: role, tenantName: tenant)
        return describe(request(.hello(hello)))
    }

    /// Sends a request and waits for its reply, keeping events and any descriptors aside.
    func request(_ r: Request) -> (Reply?, [OwnedDescriptor], String?) {
        guard let socket else { return (nil, [], "not-connected") }
        let id = nextRequest
        nextRequest += 1
        do {
            guard try UnixSeqpacket.send(socket.raw, MessageCodec.encode(.request(id: id, r), version: version),
                descriptors: []) else { return (nil, [], "would-block") }
            while true {
                guard let record = try UnixSeqpacket.receive(socket.raw, into: buffer) else { continue }
                if record.isEndOfStream { return (nil, [], "closed") }
                let message = try MessageCodec.decode(UnsafeRawBufferPointer(rebasing: buffer[..<record.byteCount]))
                switch message {
                case .event(let e): events.append(e)
                case .reply(_, let reply): return (reply, record.descriptors, nil)
                case .request: return (nil, [], "unexpected-request")
                }
            }
        } catch {
            return (nil, [], "\(error)")
        }
    }

    private func describe(_ result: (Reply?, [OwnedDescriptor], String?)) -> String {
        guard let reply = result.0 else { return "err \(result.2 ?? "?")" }
        switch reply {
        case .error(let code, let detail): return "err \(code.name) \(detail)"
        case .helloAccepted(let a): return "ok session=\(a.sessionID) tenant=\(a.tenantID)"
        case .allocated(let hs): return "ok frames=" + hs.map { "\($0.frame)" }.joined(separator: ",")
        case .unreffed(let n): return "ok unreffed=\(n)"
        case .granted(let token, let id): return "ok token=\(hex(token)) id=\(id)"
        case .redeemed(let h): return "ok frame=\(h.frame) rights=\(h.rights)"
        default: return "ok \(reply)"
        }
    }

    private func map(_ frames: [FrameNumber]) -> String {
        let (reply, fds, failure) = request(.map(frames: frames))
        guard case .mapped(let holdings)? = reply else { return describe((reply, fds, failure)) }
        guard holdings.count == fds.count else { return "err descriptor-count \(fds.count)" }
        for (holding, fd) in zip(holdings, fds) {
            do {
                mappings[holding.frame] = try MappedMemory.map(fd.raw, length: 4096,
                    writable: holding.rights.contains(.write))
                descriptors[holding.frame] = fd
            } catch {
                return "err mmap errno=\(error.errno)"
            }
        }
        return "ok mapped=" + holdings.map { "\($0.frame):\($0.rights)" }.joined(separator: ",")
    }

    // MARK: memory

    private func fill(_ frame: FrameNumber?, byte: UInt8) -> String {
        guard let frame, let m = mappings[frame] else { return "err not-mapped" }
        m.withUnsafeMutableBytes { _ = $0.initializeMemory(as: UInt8.self, repeating: byte) }
        return "ok"
    }

    private func read(_ frame: FrameNumber?) -> String {
        guard let frame, let m = mappings[frame] else { return "err not-mapped" }
        let (first, uniform) = m.withUnsafeBytes { bytes -> (UInt8, Bool) in
            (bytes[0], bytes.allSatisfy { $0 == bytes[0] })
        }
        return "ok byte=\(first) uniform=\(uniform)"
    }

    private func tryMapSharedWritable(_ frame: FrameNumber?) -> String {
        guard let frame, let fd = descriptors[frame] else { return "err not-mapped" }
        do {
            _ = try MappedMemory.map(fd.raw, length: 4096, writable: true, shared: true)
            return "ok mapped-writable"
        } catch {
            return "err errno=\(error.errno)"
        }
    }

    private func tryReopenWritable(_ frame: FrameNumber?) -> String {
        guard let frame, let fd = descriptors[frame] else { return "err not-mapped" }
        let reopened = open("/proc/self/fd/\(fd.raw)", O_RDWR | O_CLOEXEC)
        if reopened >= 0 {
            close(reopened)
            return "ok reopened-writable"
        }
        return "err errno=\(errno)"
    }

    /// A private writable mapping of a read-only frame: allowed (copy on write), and the
    /// write must stay private.
    private func privateWrite(_ frame: FrameNumber?) -> String {
        guard let frame, let fd = descriptors[frame] else { return "err not-mapped" }
        do {
            let m = try MappedMemory.map(fd.raw, length: 4096, writable: true, shared: false)
            m.withUnsafeMutableBytes { _ = $0.initializeMemory(as: UInt8.self, repeating: 0xEE) }
            return "ok"
        } catch {
            return "err errno=\(error.errno)"
        }
    }

    private func tryOpen(_ path: String, writable: Bool) -> String {
        let fd = open(path, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC)
        if fd >= 0 {
            close(fd)
            return "ok opened"
        }
        return "err errno=\(errno)"
    }

    private func inode(_ frame: FrameNumber?) -> String {
        guard let frame, let fd = descriptors[frame] else { return "err not-mapped" }
        var info = stat()
        guard fstat(fd.raw, &info) == 0 else { return "err errno=\(errno)" }
        return "ok inode=\(info.st_ino)"
    }

    /// Inodes of every descriptor this process holds and every memfd it maps.
    private func inodes() -> String {
        var found: Set<UInt64> = []
        if let dir = opendir("/proc/self/fd") {
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                guard let fd = Int32(name) else { continue }
                var info = stat()
                if fstat(fd, &info) == 0 { found.insert(UInt64(info.st_ino)) }
            }
            closedir(dir)
        }
        if let maps = fopen("/proc/self/maps", "r") {
            var line = [CChar](repeating: 0, count: 512)
            while fgets(&line, Int32(line.count), maps) != nil {
                let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                guard text.contains("memfd:") else { continue }
                let fields = text.split(separator: " ", omittingEmptySubsequences: true)
                if fields.count > 4, let ino = UInt64(fields[4]) { found.insert(ino) }
            }
            fclose(maps)
        }
        return "ok inodes=" + found.sorted().map(String.init).joined(separator: ",")
    }
}

func hex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef")
    return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
}

func hexBytes(_ text: String) -> [UInt8] {
    let chars = Array(text.utf8)
    var out: [UInt8] = []
    var i = 0
    while i + 1 < chars.count {
        guard let hi = hexValue(chars[i]), let lo = hexValue(chars[i + 1]) else { return out }
        out.append(hi << 4 | lo)
        i += 2
    }
    return out
}

private func hexValue(_ c: UInt8) -> UInt8? {
    switch c {
    case 48...57: c - 48
    case 97...102: c - 87
    case 65...70: c - 55
    default: nil
    }
}
