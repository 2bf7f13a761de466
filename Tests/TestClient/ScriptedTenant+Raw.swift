// exo-testclient's raw and hostile data-path commands: send arbitrary bytes as a frame, receive
// one as bytes, flood the tx ring with bad descriptors, and count the daemon's fault events.

import ExoPlatform
import ExoWire
import Glibc

extension ScriptedTenant {
    /// Runs a raw or hostile data-path command, or returns nil if `command` is not one.
    func runRaw(_ command: String, _ args: [String]) -> String? {
        switch command {
        case "dp-send-raw": return sendRaw(args)
        case "dp-recv-hex": return receiveHex(milliseconds: Int(args.first ?? "2000") ?? 2000)
        case "dp-hostile": return hostile(args)
        case "dp-faults": return faults()
        case "dp-scribble": return scribble(milliseconds: Int(args.first ?? "1000") ?? 1000)
        default: return nil
        }
    }

    /// dp-scribble MS: for MS milliseconds, rewrites the whole ring region (indices, flags and
    /// descriptors of all four rings) with random words while the daemon reads it, kicking the
    /// daemon after every burst. Half the words are small numbers, so many look like plausible
    /// frame numbers and lengths. The tenant's own ring ends are useless afterwards.
    private func scribble(milliseconds: Int) -> String {
        guard let path = dataPath else { return "err no-data-path" }
        var random = SystemRandomNumberGenerator()
        let deadline = MonotonicClock.nanoseconds() + UInt64(milliseconds) * 1_000_000
        var writes = 0
        path.region.withUnsafeMutableBytes { region in
            let words = region.count / 4
            while MonotonicClock.nanoseconds() < deadline {
                for _ in 0..<256 {
                    let index = Int.random(in: 0..<words, using: &random)
                    let value: UInt32 = Bool.random(using: &random)
                        ? UInt32.random(in: 0..<4200, using: &random) : UInt32.random(in: 0...UInt32.max, using: &random)
                    region.storeBytes(of: value, toByteOffset: index * 4, as: UInt32.self)
                }
                writes += 256
                path.tenantToDaemon.signal()
            }
        }
        return "ok writes=\(writes)"
    }

    /// dp-recv-hex MS: the next received frame's bytes, exactly as posted on rx, in hex.
    private func receiveHex(milliseconds: Int) -> String {
        guard let path = dataPath else { return "err no-data-path" }
        do {
            guard let d = try path.receive(milliseconds: milliseconds) else { return "err timeout" }
            guard let memory = mappings[d.frame] else { return "err not-mapped frame=\(d.frame)" }
            let bytes = memory.withUnsafeBytes { Array($0.prefix(Int(d.length))) }
            return "ok frame=\(d.frame) hex=" + bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        } catch {
            return "err \(error)"
        }
    }

    /// dp-send-raw FRAME HEX [TIMES]: copies the bytes into the mapped frame, exactly as
    /// given, and posts them on tx — TIMES descriptors of that one frame in one batch (1 unless
    /// given), as a confused library OS might.
    private func sendRaw(_ args: [String]) -> String {
        guard let path = dataPath else { return "err no-data-path" }
        guard args.count == 2 || args.count == 3, let frame = FrameNumber(args[0]) else { return "err usage" }
        guard let times = args.count == 3 ? Int(args[2]) : 1, times >= 1 else { return "err usage" }
        let bytes = hexBytes(args[1])
        guard !bytes.isEmpty, bytes.count * 2 == args[1].count else { return "err bad-hex" }
        guard let memory = mappings[frame] else { return "err not-mapped" }
        guard bytes.count <= memory.length else { return "err too-long" }
        bytes.withUnsafeBytes { source in memory.withUnsafeMutableBytes { $0.copyMemory(from: source) } }
        do {
            let descriptor = RingDescriptor(frame: frame, length: UInt32(bytes.count))
            return "ok posted=\(try path.post(Array(repeating: descriptor, count: times), onTx: true))"
        } catch {
            return "err \(error)"
        }
    }

    /// dp-hostile COUNT FOREIGN OWN LENGTH: posts COUNT tx descriptors cycling through a frame
    /// outside the pool, FOREIGN (a frame this session does not hold), OWN with a length past
    /// the frame, OWN with length 0, and OWN with LENGTH twice in one batch (a duplicate),
    /// kicking the daemon and draining completions as it goes. Unless the last argument is
    /// "deaf", it also reads its control socket after every batch (a ping); a deaf flooder
    /// never reads it (the daemon coalesces its fault reports rather than queue them). Answers how many were posted and completed once the daemon
    /// consumed them all, or "err stalled" after 3 s without progress.
    private func hostile(_ args: [String]) -> String {
        guard let path = dataPath else { return "err no-data-path" }
        guard args.count == 4 || args.count == 5, let count = Int(args[0]), let foreign = FrameNumber(args[1]),
            let own = FrameNumber(args[2]), let length = UInt32(args[3])
        else { return "err usage" }
        let deaf = args.count == 5 && args[4] == "deaf"
        let pattern = [
            RingDescriptor(frame: 0xFFFF_FFF0, length: 60), RingDescriptor(frame: foreign, length: 60),
            RingDescriptor(frame: own, length: 65_000), RingDescriptor(frame: own, length: 0),
            RingDescriptor(frame: own, length: length), RingDescriptor(frame: own, length: length),
        ]
        var posted = 0, completed = 0
        var deadline = MonotonicClock.nanoseconds() + 3_000_000_000
        do {
            while posted < count {
                var batch: [RingDescriptor] = []
                for index in posted..<min(count, posted + 32) { batch.append(pattern[index % pattern.count]) }
                let published = try path.post(batch, onTx: true)
                posted += published
                completed += try path.completions().count
                if !deaf { _ = request(.ping) }
                if published > 0 { deadline = MonotonicClock.nanoseconds() + 3_000_000_000 }
                if published < batch.count {
                    guard MonotonicClock.nanoseconds() < deadline else { return "err stalled posted=\(posted)" }
                    usleep(500)
                }
            }
            // Wait until the daemon has taken everything off tx.
            while try path.tx.refreshFreeSlots() < Int(path.info.ringCapacity) {
                completed += try path.completions().count
                if !deaf { _ = request(.ping) }
                guard MonotonicClock.nanoseconds() < deadline else { return "err undrained posted=\(posted)" }
                path.tenantToDaemon.signal()
                usleep(1_000)
            }
            usleep(50_000)
            completed += try path.completions().count
        } catch {
            return "err \(error) posted=\(posted)"
        }
        return "ok posted=\(posted) completed=\(completed)"
    }

    /// Makes one round trip (so the daemon's queued events arrive) and sums the
    /// `dataPathFault` reports received so far: "ok reports=R faults=F REASON=N... other=O",
    /// F being the faults they stand for (each report is one fault plus the `coalesced` ones)
    /// and REASON=N how many reports named that reason first; then forgets them.
    private func faults() -> String {
        let (reply, _, failure) = request(.ping)
        guard reply != nil else { return "err \(failure ?? "?")" }
        var reports = 0, faults = 0, others = 0
        var byReason: [UInt16: Int] = [:]
        for event in events {
            if case .dataPathFault(let reason, _, let coalesced) = event {
                reports += 1
                faults += 1 + Int(coalesced)
                byReason[reason, default: 0] += 1
            } else {
                others += 1
            }
        }
        events.removeAll()
        let named = byReason.keys.sorted().map { key in
            "\(DataPathFaultReason(rawValue: key).map { "\($0)" } ?? "\(key)")=\(byReason[key]!)"
        }
        return "ok reports=\(reports) faults=\(faults) " + named.map { $0 + " " }.joined() + "other=\(others)"
    }
}
