// exo-testclient's data-path commands: open the data path, bind and unbind, post fill frames,
// send a UDP frame from a mapped frame, receive one, and list completions.

import ExoPlatform
import ExoWire
import ExoPacket
import Glibc

extension ScriptedTenant {
    /// Runs a data-path command, or returns nil if `command` is not one.
    func runDataPath(_ command: String, _ args: [String]) -> String? {
        switch command {
        case "dp-open": return openDataPath(capacity: UInt32(args.first ?? "64") ?? 64)
        case "bind", "unbind":
            guard let endpoint = Self.endpoint(args) else { return "err usage" }
            let (reply, fds, failure) = request(command == "bind" ? .bind(endpoint) : .unbind(endpoint))
            if case .bound? = reply { return "ok bound" }
            if case .unbound? = reply { return "ok unbound" }
            if case .error(let code, _)? = reply { return "err \(code.name)" }
            return "err \(failure ?? "\(String(describing: reply)) \(fds.count)")"
        case "filter-add", "filter-remove", "op-filters": return runFilter(command, args)
        case "dp-fill":
            guard let path = dataPath else { return "err no-data-path" }
            let frames = args.compactMap { FrameNumber($0) }.map { RingDescriptor(frame: $0, length: 0) }
            do { return "ok posted=\(try path.post(frames, onTx: false))" } catch { return "err \(error)" }
        case "dp-send-udp": return sendUDP(args)
        case "dp-send-echo": return sendEcho(args)
        case "dp-recv-echo": return receiveEcho(milliseconds: Int(args.first ?? "2000") ?? 2000)
        case "dp-recv": return receive(milliseconds: Int(args.first ?? "2000") ?? 2000)
        case "dp-completions":
            guard let path = dataPath else { return "err no-data-path" }
            do { return "ok frames=" + (try path.completions()).map { "\($0.frame)" }.joined(separator: ",") } catch {
                return "err \(error)"
            }
        case "op-stats", "op-bindings", "op-nic":
            let query: Request = command == "op-stats" ? .stats : command == "op-nic" ? .nic : .bindings(tenant: nil, page: Page())
            let (reply, _, failure) = request(query)
            guard let reply else { return "err \(failure ?? "?")" }
            if case .error(let code, _) = reply { return "err \(code.name)" }
            return "ok \(reply)"
        case "op-capture":
            // op-capture TENANT SNAPLEN [COUNT]: starts a capture (of one frame unless COUNT is
            // given; 0 is no limit) whose events this client collects; answers the reply.
            guard args.count == 2 || args.count == 3, let snap = UInt32(args[1]) else { return "err usage" }
            let count = args.count == 3 ? UInt32(args[2]) ?? 1 : 1
            let (reply, _, failure) = request(.capture(tenant: args[0], count: count, snapLength: snap))
            if case .captureStarted(let id, let length)? = reply { return "ok capture=\(id) snaplen=\(length)" }
            if case .error(let code, _)? = reply { return "err \(code.name)" }
            return "err \(failure ?? "\(String(describing: reply))")"
        case "op-capture-summary":
            // One round trip, then the capture events collected so far, summarized and forgotten.
            guard request(.ping).0 != nil else { return "err no-reply" }
            var frames = 0
            var ended = "none"
            for event in events {
                if case .capturedFrame = event { frames += 1 }
                if case .captureEnded(let end) = event {
                    ended = "\(end.reason) captured=\(end.captured) lost=\(end.lost)"
                }
            }
            events.removeAll()
            return "ok frames=\(frames) ended=\(ended)"
        case "dp-info":
            guard let info = dataPath?.info else { return "err no-data-path" }
            return "ok gateway=\(IPv4Address(rawValue: info.gateway)) gatewaymac=\(info.gatewayMAC) mtu=\(info.mtu)"
                + " addresses=" + info.addresses.map { "\(IPv4Address(rawValue: $0.address))@\($0.mac)" }.joined(separator: ",")
        default: return runRaw(command, args)
        }
    }

    private func openDataPath(capacity: UInt32) -> String {
        let (reply, fds, failure) = request(.openDataPath(ringCapacity: capacity))
        guard case .dataPathOpened(let info)? = reply else {
            if case .error(let code, _)? = reply { return "err \(code.name)" }
            return "err \(failure ?? "unexpected")"
        }
        do {
            let seals = try FrameMemory.seals(fds[0].raw)
            var st = stat()
            fstat(fds[0].raw, &st)
            dataPath = try TenantDataPath(info: info, descriptors: fds)
            return "ok fds=\(fds.count) seals=\(seals) mode=\(String(st.st_mode & 0o777, radix: 8))"
        } catch {
            return "err \(error)"
        }
    }

    /// "udp ADDRESS PORT", "tcp ADDRESS PORT", "icmp ADDRESS ID" or "addr ADDRESS".
    static func endpoint(_ args: [String]) -> WireEndpoint? {
        guard args.count >= 2, let address = IPv4Address(args[1]) else { return nil }
        switch args[0] {
        case "addr": return .whole(address.rawValue)
        case "udp", "tcp", "icmp":
            guard args.count == 3, let port = UInt16(args[2]) else { return nil }
            let proto = args[0] == "udp" ? WireEndpoint.udp : args[0] == "tcp" ? WireEndpoint.tcp : WireEndpoint.icmp
            return WireEndpoint(proto: proto, address: address.rawValue, port: port)
        default: return nil
        }
    }

    /// dp-send-udp FRAME SRC SRCPORT DST DSTPORT TEXT: a UDP frame from this tenant's MAC for
    /// SRC (as the data path reported it, else the daemon's MAC) to the gateway's MAC.
    private func sendUDP(_ args: [String]) -> String {
        guard let path = dataPath else { return "err no-data-path" }
        guard args.count == 6, let frame = FrameNumber(args[0]), let src = IPv4Address(args[1]),
            let srcPort = UInt16(args[2]), let dst = IPv4Address(args[3]), let dstPort = UInt16(args[4])
        else { return "err usage" }
        guard let memory = mappings[frame] else { return "err not-mapped" }
        let srcMAC = path.info.addresses.first { $0.address == src.rawValue }?.mac ?? path.info.addresses.first?.mac ?? .zero
        let bytes = RawFrames.udp(srcMAC: srcMAC, dstMAC: path.info.gatewayMAC, src: src, srcPort: srcPort, dst: dst,
            dstPort: dstPort, payload: Array(args[5].utf8))
        bytes.withUnsafeBytes { source in memory.withUnsafeMutableBytes { $0.copyMemory(from: source) } }
        do {
            let posted = try path.post([RingDescriptor(frame: frame, length: UInt32(bytes.count))], onTx: true)
            return "ok posted=\(posted)"
        } catch {
            return "err \(error)"
        }
    }

    private func receive(milliseconds: Int) -> String {
        guard let path = dataPath else { return "err no-data-path" }
        do {
            guard let d = try path.receive(milliseconds: milliseconds) else { return "err timeout" }
            guard let memory = mappings[d.frame] else { return "err not-mapped frame=\(d.frame)" }
            let bytes = memory.withUnsafeBytes { Array($0.prefix(Int(d.length))) }
            guard let (src, srcPort, dstPort, payload) = RawFrames.parseUDP(bytes) else {
                // Not UDP: name what it is, so tests can tell ARP from ICMP errors and the rest.
                let etherType = bytes.count >= 14 ? Int(bytes[12]) << 8 | Int(bytes[13]) : 0
                var kind = "ethertype=\(etherType)"
                if etherType == 0x0800, bytes.count >= 34 {
                    kind += " proto=\(bytes[23])"
                    if bytes[23] == 1 { kind += " icmp=\(bytes[14 + Int(bytes[14] & 0x0F) * 4])" }
                }
                return "ok frame=\(d.frame) length=\(d.length) udp=no \(kind)"
            }
            // IP header length and whether both checksums verify, for reassembly and options tests.
            let checks = "ihl=\(Int(bytes[14] & 0x0F) * 4) csum=\(RawFrames.checksumsVerify(bytes) ? "ok" : "bad")"
            return "ok frame=\(d.frame) length=\(d.length) \(checks) from=\(src):\(srcPort) port=\(dstPort) payload=\(String(decoding: payload, as: UTF8.self))"
        } catch {
            return "err \(error)"
        }
    }
}
