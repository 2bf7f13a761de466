// exo-testclient's offer and flood commands: list the offers addressed to this tenant, count
// the daemon's unsolicited records, and send one request type many times, tallying answers.

import ExoPlatform
import ExoWire
import ExoPacket
import Glibc

extension ScriptedTenant {
    /// Runs an offer or flood command, or returns nil if `command` is not one.
    func runFlood(_ command: String, _ args: [String]) -> String? {
        switch command {
        case "offers": return listOffers()
        case "redeem-offer": return redeemFirstOffer()
        case "notices": return notices()
        case "grant-flood":
            // grant-flood COUNT FRAME AUDIENCE: grants FRAME read-only to AUDIENCE COUNT times.
            guard args.count == 3, let count = Int(args[0]), let frame = FrameNumber(args[1]) else { return "err usage" }
            return tally((0..<count).map { _ in .grant(frame: frame, rights: .read, audience: args[2]) })
        case "bind-flood":
            // bind-flood udp ADDRESS FIRST COUNT: binds COUNT consecutive ports from FIRST.
            guard args.count == 4, let first = Int(args[2]), let count = Int(args[3]),
                let address = IPv4Address(args[1]), first + count <= 65536
            else { return "err usage" }
            return tally((first..<(first + count)).map { .bind(WireEndpoint(proto: 17, address: address.rawValue, port: UInt16($0))) })
        case "filter-flood":
            // filter-flood udp ADDRESS PORT COUNT: installs COUNT distinct one-atom filters on a binding.
            guard args.count == 4, let port = UInt16(args[2]), let count = Int(args[3]), let address = IPv4Address(args[1])
            else { return "err usage" }
            let endpoint = WireEndpoint(proto: 17, address: address.rawValue, port: port)
            return tally((0..<count).map { index in
                // Transport bytes 8-9 (the payload's first two) equal to the index: all distinct.
                .installFilter(endpoint, atoms: [WireFilterAtom(base: 2, offset: 8, width: 2, mask: 0xFFFF, value: UInt32(index & 0xFFFF))])
            })
        case "map-unread":
            // map-unread COUNT FRAME...: sends COUNT map requests for the frames and reads no
            // reply (read-replies collects them).
            guard let count = args.first.flatMap({ Int($0) }) else { return "err usage" }
            return sendUnread(count, .map(frames: args.dropFirst().compactMap { FrameNumber($0) }))
        case "read-replies": return readUnreadReplies()
        default: return nil
        }
    }

    /// Sends `count` copies of `request` without reading; answers "ok sent=N".
    private func sendUnread(_ count: Int, _ request: Request) -> String {
        guard let socket else { return "err not-connected" }
        do {
            for sent in 0..<count {
                let id = nextRequest
                nextRequest += 1
                guard try UnixSeqpacket.send(socket.raw, MessageCodec.encode(.request(id: id, request), version: version),
                    descriptors: [])
                else { return "err would-block after=\(sent)" }
                unreadReplies += 1
            }
        } catch {
            return "err \(error)"
        }
        return "ok sent=\(count)"
    }

    /// Reads the replies `map-unread` left: "ok mapped=K descriptors=D" and each refusal's
    /// count by name; the descriptors received are closed.
    private func readUnreadReplies() -> String {
        guard let socket else { return "err not-connected" }
        var mapped = 0, descriptors = 0
        var refusals: [String: Int] = [:]
        do {
            while unreadReplies > 0 {
                guard let record = try UnixSeqpacket.receive(socket.raw, into: buffer) else { continue }
                if record.isEndOfStream { return "err closed" }
                descriptors += record.descriptors.count
                for d in record.descriptors { d.close() }
                switch try MessageCodec.decode(UnsafeRawBufferPointer(rebasing: buffer[..<record.byteCount])) {
                case .event(let e): events.append(e)
                case .reply(_, .mapped):
                    mapped += 1
                    unreadReplies -= 1
                case .reply(_, .error(let code, _)):
                    refusals[code.name, default: 0] += 1
                    unreadReplies -= 1
                default: unreadReplies -= 1
                }
            }
        } catch {
            return "err \(error)"
        }
        return "ok mapped=\(mapped) descriptors=\(descriptors)" + refusals.keys.sorted().map { " \($0)=\(refusals[$0]!)" }.joined()
    }

    /// offers → "ok offers=N first=TOKENID|none" (every page).
    private func listOffers() -> String {
        var all: [OfferInfo] = []
        var cursor: UInt32 = 0
        while true {
            let (reply, _, failure) = request(.offers(Page(cursor: cursor, limit: 512)))
            guard case .offers(let page)? = reply else {
                if case .error(let code, _)? = reply { return "err \(code.name)" }
                return "err \(failure ?? String(describing: reply))"
            }
            all += page.entries
            guard let next = page.nextCursor else { break }
            cursor = next
        }
        offered = all
        let from = Set(all.map(\.fromTenant)).sorted().joined(separator: ",")
        return "ok offers=\(all.count) first=\(all.first.map { "\($0.tokenID)" } ?? "none") from=\(from)"
    }

    /// redeem-offer → redeems the first offer of the last `offers` listing.
    private func redeemFirstOffer() -> String {
        guard let offer = offered.first else { return "err no-offer" }
        offered.removeFirst()
        let (reply, _, failure) = request(.redeem(token: offer.token))
        if case .redeemed(let h)? = reply { return "ok frame=\(h.frame) rights=\(h.rights)" }
        if case .error(let code, _)? = reply { return "err \(code.name)" }
        return "err \(failure ?? "?")"
    }

    /// notices → one round trip, then "ok offersChanged=N outstanding=LAST other=M" for the
    /// events received so far, which are forgotten.
    private func notices() -> String {
        let (reply, _, failure) = request(.ping)
        guard reply != nil else { return "err \(failure ?? "?")" }
        var changed = 0, others = 0
        var outstanding = "none"
        for event in events {
            if case .offersChanged(let count) = event {
                changed += 1
                outstanding = "\(count)"
            } else {
                others += 1
            }
        }
        events.removeAll()
        return "ok offersChanged=\(changed) outstanding=\(outstanding) other=\(others)"
    }

    /// Sends each request and waits for its reply; answers "ok sent=N ok=K" and the count of
    /// each refusal by name, in name order ("... tokenLimit=3").
    private func tally(_ requests: [Request]) -> String {
        var succeeded = 0
        var refusals: [String: Int] = [:]
        for r in requests {
            let (reply, _, failure) = request(r)
            guard let reply else { return "err \(failure ?? "?") after=\(succeeded)" }
            if case .error(let code, _) = reply { refusals[code.name, default: 0] += 1 } else { succeeded += 1 }
        }
        return "ok sent=\(requests.count) ok=\(succeeded)"
            + refusals.keys.sorted().map { " \($0)=\(refusals[$0]!)" }.joined()
    }
}
