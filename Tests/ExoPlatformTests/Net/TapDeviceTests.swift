// Specification of TapDevice against the real TUN driver: a non-persistent TAP without a
// packet-information prefix, named as asked, refusing a taken name, gone when closed.
import ExoPlatform
import Glibc
import Testing

@Suite struct TapDeviceTests {
    @Test func aNewDeviceIsANonPersistentTapWithoutPacketInformation() throws {
        let name = TestNames.uniqueTap()
        let tap = try TapDevice(name: name)
        #expect(tap.name == name)
        #expect(tap.ifindex == Int32(bitPattern: if_nametoindex(name)))
        let mode = try tap.mode()
        #expect(mode.isTap)
        #expect(mode.hasPacketInformation == false)
        #expect(mode.isPersistent == false)
        let shown = try runIP(["-d", "link", "show", name])
        #expect(shown.status == 0)
        #expect(shown.output.contains("tun type tap pi off"))
        #expect(shown.output.contains("persist off"))
        #expect(shown.output.contains("state DOWN"))
        #expect(fcntl(tap.fd, F_GETFL) & O_NONBLOCK != 0)
        #expect(fcntl(tap.fd, F_GETFD) & FD_CLOEXEC != 0)
    }

    @Test func closingTheDescriptorDeletesTheDevice() throws {
        let name = TestNames.uniqueTap()
        var tap: TapDevice? = try TapDevice(name: name)
        #expect(try runIP(["link", "show", name]).status == 0)
        #expect(tap != nil)
        tap = nil
        let shown = try runIP(["link", "show", name])
        #expect(shown.status != 0)
        #expect(shown.output.contains("does not exist"))
        #expect(if_nametoindex(name) == 0)
    }

    @Test func theKernelCompletesANamePattern() throws {
        let prefix = "exot\(getpid() % 1_000_000)p"
        let tap = try TapDevice(name: prefix + "%d")
        #expect(tap.name.hasPrefix(prefix))
        #expect(tap.name.count > prefix.count)
        #expect(try runIP(["link", "show", tap.name]).status == 0)
    }

    @Test func aTakenNameIsRefusedAndTheFirstDeviceSurvives() throws {
        let name = TestNames.uniqueTap()
        let first = try TapDevice(name: name)
        #expect(throws: SystemError(operation: "TUNSETIFF", errno: EBUSY)) { try TapDevice(name: name) }
        #expect(Int32(bitPattern: if_nametoindex(name)) == first.ifindex)
    }

    @Test func aNameOverFifteenBytesIsRefused() {
        #expect(throws: SystemError(operation: "TUNSETIFF", errno: ENAMETOOLONG)) {
            try TapDevice(name: "exot-sixteen-byt")
        }
    }

    @Test func readingWithNothingQueuedReturnsNil() throws {
        let tap = try TapDevice(name: TestNames.uniqueTap())
        var buffer = [UInt8](repeating: 0, count: 1514)
        var elements = buffer.mutableSpan
        var bytes = elements.mutableBytes
        #expect(try tap.read(into: &bytes) == nil)
    }

    @Test func writingToALinkThatIsDownFailsWithEIO() throws {
        let tap = try TapDevice(name: TestNames.uniqueTap())
        let frame = arpRequest(senderMAC: [2, 0, 0, 0, 0, 1], senderIP: [10, 213, 255, 2], targetIP: [10, 213, 255, 1])
        #expect(throws: SystemError(operation: "TAP write", errno: EIO)) { try tap.write(bytes: frame) }
    }
}
