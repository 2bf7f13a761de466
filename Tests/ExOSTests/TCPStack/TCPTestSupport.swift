// Helpers for TCP tests on the simulation: array-based writes and reads, and a transfer
// driver that keeps writing and reading through the virtual clock until every byte arrived.

import ExoImpairment
import ExoPacket

@testable import ExOS

extension NetworkStack {
    /// Writes as much of `bytes` as fits; returns how many.
    mutating func write(_ handle: TCPHandle, _ bytes: ArraySlice<UInt8>, now: Instant) throws(TCPError) -> Int {
        let result = bytes.withUnsafeBytes { buffer -> Result<Int, TCPError> in
            do throws(TCPError) {
                return .success(try write(handle, PacketBytes(unsafeBuffer: buffer), now: now))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Reads everything readable now; `end` is set at the end of stream.
    mutating func readAvailable(_ handle: TCPHandle, now: Instant) throws(TCPError) -> (bytes: [UInt8], end: Bool) {
        var collected: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let result = chunk.withUnsafeMutableBytes { buffer -> Result<TCPReadResult, TCPError> in
                do throws(TCPError) {
                    return .success(try read(handle, into: MutablePacketBytes(unsafeBuffer: buffer), now: now))
                } catch {
                    return .failure(error)
                }
            }
            switch try result.get() {
            case .bytes(let count): collected += chunk[0..<count]
            case .wouldBlock: return (collected, false)
            case .endOfStream: return (collected, true)
            }
        }
    }
}

/// Deterministic pseudo-random bytes for transfers.
func patternBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var state = seed | 1
    return (0..<count).map { _ in
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return UInt8(truncatingIfNeeded: state)
    }
}

/// Two stacks, hosts 1 (server, listening on port 80) and 2 (client), on a simulated link.
struct TCPPair {
    var simulation: Simulation
    let listener: TCPListenerHandle
    var server: TCPHandle?
    var client: TCPHandle

    static let serverEndpoint = IPv4Endpoint(address: Hosts.address(1), port: 80)

    init(
        profile: ImpairmentProfile = ImpairmentProfile(), seed: UInt64 = 1, limits: StackLimits = Hosts.quiet,
        serverOptions: TCPConnectionOptions = .init(), clientOptions: TCPConnectionOptions = .init()
    ) {
        simulation = Simulation([Hosts.owned(1, limits: limits), Hosts.owned(2, limits: limits)], profile: profile, seed: seed)
        listener = try! simulation.stacks[0].listenTCP(port: 80, options: serverOptions)
        client = try! simulation.stacks[1].connectTCP(to: Self.serverEndpoint, options: clientOptions, now: simulation.now)
    }

    /// Runs until the server accepted the connection and the client is established.
    mutating func establish(within limit: Interval = .seconds(30)) -> Bool {
        let listener = listener
        let client = client
        var accepted: TCPHandle?
        let done = simulation.run(for: limit) { simulation in
            if accepted == nil { accepted = simulation.stacks[0].accept(listener) }
            return accepted != nil && simulation.stacks[1].tcp.state(client) == .established
        }
        server = accepted
        return done
    }

    /// Sends `data` from one side to the other (`fromClient`), writing as space allows and
    /// reading everything; returns what the receiver got by the end or the time limit.
    mutating func transfer(_ data: [UInt8], fromClient: Bool, within limit: Interval = .seconds(600), closeAfter: Bool = false)
        -> [UInt8]
    {
        let (sender, senderIndex) = fromClient ? (client, 1) : (server!, 0)
        let (receiver, receiverIndex) = fromClient ? (server!, 0) : (client, 1)
        var sent = 0
        var received: [UInt8] = []
        var closed = false
        simulation.run(for: limit) { simulation in
            let now = simulation.now
            while sent < data.count, let count = try? simulation.stacks[senderIndex].write(sender, data[sent...], now: now),
                count > 0
            {
                sent += count
            }
            if closeAfter, sent == data.count, !closed {
                try? simulation.stacks[senderIndex].shutdownWrite(sender, now: now)
                closed = true
            }
            if let chunk = try? simulation.stacks[receiverIndex].readAvailable(receiver, now: now) {
                received += chunk.bytes
            }
            return received.count >= data.count
        }
        return received
    }
}
