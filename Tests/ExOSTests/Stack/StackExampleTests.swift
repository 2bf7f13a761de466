// The example of docs/EXOS.md ("A first program"), compiled and run: keep the two the same.

import ExOS
import Testing

@Suite struct StackExampleTests {
    @Test func theFirstProgramOfTheGuideRuns() throws {
        // Two hosts on one simulated Ethernet, 10.0.0.1 and 10.0.0.2, each owning its address.
        func host(_ n: UInt8) -> StackConfiguration {
            StackConfiguration(
                addresses: [
                    LocalAddress(address: IPv4Address(10, 0, 0, n), mac: MACAddress(2, 0, 0, 0, 0, n), owned: true)
                ],
                prefixLength: 24)
        }
        var link = ImpairmentProfile.loss(0.01)  // 1% loss each way
        link.delay = 1_000_000  // 1 ms
        var simulation = Simulation([host(1), host(2)], profile: link, seed: 7)

        // An echo server on host 2, a client on host 1.
        let server = try simulation.stacks[1].openUDP(port: 7)
        let client = try simulation.stacks[0].openUDP(port: 0)
        let echo = UDPEndpoint(address: IPv4Address(10, 0, 0, 2), port: 7)

        var answers = 0
        for round in 0..<20 as Range<UInt8> {
            try simulation.stacks[0].send(client, Array("ping \(round)".utf8), to: echo, now: simulation.now)
            // Run the virtual clock until the server has the datagram (false: not within 100 ms, lost).
            if simulation.run(for: .milliseconds(100), until: { $0.stacks[1].udp.hasDatagram(server) }) {
                let request = simulation.stacks[1].receive(server)!
                try simulation.stacks[1].send(server, request.payload, to: request.source, now: simulation.now)
            }
            if simulation.run(for: .milliseconds(100), until: { $0.stacks[0].udp.hasDatagram(client) }),
                let reply = simulation.stacks[0].receive(client)
            {
                #expect(reply.payload == Array("ping \(round)".utf8))
                answers += 1
            }
        }
        // 1% loss each way: about one round trip in 50 fails (with seed 7, always the same ones).
        #expect(answers >= 18)
    }
}
