// Specification of a stack that outlives its daemon: after a restart the same identity may
// come back with new MACs (a recreated TAP's), which the stack takes while keeping its
// sockets and neighbors; another identity is refused and changes nothing.

import ExoPacket
import Testing

@testable import ExOS

struct StackRelinkTests {
    static let newMAC = MACAddress(0x02, 0, 0, 0, 0, 0x99)

    /// A shared-address stack with a UDP socket on 5000 that has heard from the stranger.
    func stackThatKnowsTheStranger() throws -> (NetworkStack, UDPHandle) {
        var stack = NetworkStack(configuration: Hosts.shared(2))
        let socket = try stack.openUDP(port: 5000)
        stack.inject(
            FrameFactory.udp(to: Hosts.address(2), mac: Hosts.mac(2), port: 5000, payload: Array("hi".utf8)), now: .zero)
        let greeting = stack.receive(socket)
        #expect(greeting != nil)
        return (stack, socket)
    }

    @Test func newMACsAreTakenAndSocketsAndNeighborsKept() throws {
        var (stack, socket) = try stackThatKnowsTheStranger()
        var restarted = Hosts.shared(2)
        restarted.addresses[0].mac = Self.newMAC
        restarted.secret = 12345  // the stack keeps its own secrets
        let taken = stack.relink(to: restarted, now: .milliseconds(1))
        #expect(taken)
        #expect(stack.addresses[0].mac == Self.newMAC)
        #expect(stack.udp.localEndpoint(socket) == UDPEndpoint(address: Hosts.address(2), port: 5000))
        #expect(stack.configuration.secret == Hosts.shared(2).secret)

        try stack.send(socket, Array("back".utf8), to: UDPEndpoint(address: Hosts.strangerAddress, port: 40000), now: .milliseconds(1))
        let frames = stack.drainRaw(now: .milliseconds(1))
        #expect(frames.count == 1, "no ARP: the neighbor was kept")
        #expect(Array(frames[0][6..<12]) == [0x02, 0, 0, 0, 0, 0x99], "sent from the new MAC")
        #expect(Array(frames[0][0..<6]) == [0x02, 0, 0, 0, 0, 0xEE], "to the neighbor learned before")
    }

    @Test func anotherIdentityIsRefusedAndChangesNothing() throws {
        var (stack, _) = try stackThatKnowsTheStranger()
        var regranted = Hosts.shared(2)
        regranted.addresses[0].mac = Self.newMAC
        regranted.grants.removeLast()
        var moved = Hosts.shared(2)
        moved.addresses[0].address = Hosts.address(3)
        var widerMTU = Hosts.shared(2)
        widerMTU.mtu += 1
        for other in [regranted, moved, widerMTU] {
            let taken = stack.relink(to: other, now: .milliseconds(1))
            #expect(!taken)
        }
        #expect(stack.addresses[0].mac == Hosts.mac(2))
    }

    @Test func anOwnedAddressIsAnnouncedAgainAfterARelink() {
        var limits = StackLimits()
        limits.announcements = 1
        var stack = NetworkStack(configuration: Hosts.owned(2, limits: limits))
        let atStart = stack.drain(now: .zero)
        let later = stack.drain(now: .seconds(10))
        #expect(atStart.count == 1 && later.isEmpty, "one announcement, at start")
        let taken = stack.relink(to: Hosts.owned(2, limits: limits), now: .seconds(10))
        let afterRelink = stack.drain(now: .seconds(10))
        #expect(taken)
        #expect(afterRelink == [.arpRequest(sender: Hosts.address(2), target: Hosts.address(2), destination: .broadcast)])
    }
}
