// ExoWire: one encode plus one decode of a whole record, for the three sizes the control
// socket carries (a hello, a 64-frame map request, a full 512-entry frames listing page).

import Benchmark
import ExoWire

func registerWireBenchmarks() {
    let hello = Message.request(id: 1, .hello(Hello(role: .tenant, tenantName: "alice")))
    let map = Message.request(id: 2, .map(frames: (0..<64).map { FrameNumber($0) }))
    let page = Message.reply(id: 3, .frames(WireFixtures.framesPage(entries: WireLimits.maxPageSize)))

    for (name, message) in [("hello", hello), ("map request, 64 frames", map), ("frames page, 512 entries", page)] {
        Benchmark("ExoWire encode+decode: \(name)") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(WireFixtures.roundTrip(message))
            }
        }
    }
}

enum WireFixtures {
    /// Encodes `message` and decodes the record again; traps if the codec refuses it or the
    /// result differs, so a benchmark can never time a failing path.
    static func roundTrip(_ message: Message) -> Message {
        do throws(WireEncodeError) {
            let bytes = try MessageCodec.encode(message)
            do throws(WireDecodeError) {
                let decoded = try MessageCodec.decode(bytes)
                precondition(decoded.kind == message.kind, "decoded a different kind")
                return decoded
            } catch {
                fatalError("decode failed: \(error)")
            }
        } catch {
            fatalError("encode failed: \(error)")
        }
    }

    /// A listing page of `entries` allocated frames, each with one holder, as `exoctl frames`
    /// receives it from a busy daemon.
    static func framesPage(entries: Int) -> ListingPage<FrameInfo> {
        var frames: [FrameInfo] = []
        frames.reserveCapacity(entries)
        for index in 0..<entries {
            let holder = FrameHolderInfo(
                tenant: 0, tenantName: "alice", session: 7, holding: HoldingID(index) + 100,
                rights: [.read, .write, .grant])
            frames.append(FrameInfo(frame: FrameNumber(index), epoch: UInt64(index) + 1, inFlight: 0, holders: [holder]))
        }
        return ListingPage(entries: frames, nextCursor: UInt32(entries))
    }
}
