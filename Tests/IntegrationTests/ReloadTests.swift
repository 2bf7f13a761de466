// Configuration reload of the real daemon under traffic: udp-echo (ExOS, alice's uid) keeps
// answering the host while a tenant is added by SIGHUP, a broken file is refused by
// `exoctl reload` (exit 1, the --check-config errors, nothing changed), the tenant is removed
// again (its session ends), bob's uid changes (the old uid's session ends, the new uid
// attaches), alice's quota shrinks and bob's port grant narrows (his binding outside it ends
// and his session gets grantsChanged).

import Foundation
import Glibc
import Synchronization
import Testing

@Suite(.serialized, .enabled(if: getuid() == 0, "needs root for TAP devices and tenant uids"))
struct ReloadTests {
    static let bobsNewUID: UInt32 = 60_104

    @Test func tenantsUIDsAndQuotasChangeUnderTrafficAndABrokenFileChangesNothing() throws {
        let net = try Backend.tap.net(second: 90, prefix: "exorl")
        defer { net.remove() }
        let daemon = try net.daemon()
        defer { daemon.stop() }
        let original = try String(contentsOfFile: daemon.configPath, encoding: .utf8)
        let alice = try EchoProcess(daemon, tenant: "alice", uid: TestUIDs.alice, address: net.address(2), port: 7)
        defer { alice.stop() }
        try alice.waitUntilReady()
        let traffic = try EchoTraffic(net: net, to: net.address(2), port: 7)
        traffic.start()
        defer { traffic.stop() }
        #expect(traffic.waitForAnswers(5), "no echo before the reloads: \(alice.output)\n\(daemon.log)")

        // 1. carol is added, by SIGHUP: she attaches without a restart.
        let carol = "\n[[tenant]]\nname = \"carol\"\nuids = [\(TestUIDs.carol)]\nframe_quota = 8\n"
        try (original + carol).write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
        kill(daemon.pid, SIGHUP)
        let carolSession = try Self.eventually { try daemon.attachedTenant("carol", uid: TestUIDs.carol) }
        defer { carolSession.quit() }
        try carolSession.ok("allocany 4")
        #expect(traffic.waitForAnswers(5))

        // 2. A broken file: exoctl reload prints --check-config's errors, exits 1, nothing changes.
        let broken = original.replacingOccurrences(of: "frame_quota = 64", with: "frame_quota = 0") + carol
        try broken.write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
        let refused = try Self.exoctl(daemon, "reload")
        let checked = try runCommand(BuildProducts.path("exokerneld"), ["--check-config", daemon.configPath])
        #expect(refused.status == 1, "\(refused.stdout)\(refused.stderr)")
        #expect(checked.status == 1)
        for line in checked.stderr.split(separator: "\n") where line.contains("frame_quota") {
            #expect(refused.stderr.contains(line.dropFirst("exokerneld: ".count)), "\(refused.stderr)")
        }
        #expect(refused.stderr.contains("the configuration in force is unchanged"))
        try carolSession.ok("allocany 1")  // still attached, with the quota in force
        #expect(try Self.tenantNames(daemon) == ["alice", "bob", "carol"])
        #expect(traffic.waitForAnswers(5))

        // 3. carol is removed and bob's uid changes, by exoctl reload: carol's session and bob's
        //    old-uid session end; bob's new uid attaches; alice's quota shrinks to 40.
        let bobOld = try daemon.attachedTenant("bob", uid: TestUIDs.bob)
        defer { bobOld.quit() }
        let next = original
            .replacingOccurrences(of: "uids = [\(TestUIDs.bob)]", with: "uids = [\(Self.bobsNewUID)]")
            .replacingOccurrences(of: "name = \"alice\"\nuids = [\(TestUIDs.alice)]\nframe_quota = 64",
                with: "name = \"alice\"\nuids = [\(TestUIDs.alice)]\nframe_quota = 40")
        #expect(next.contains("frame_quota = 40"))
        try next.write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
        let applied = try Self.exoctl(daemon, "--json", "reload")
        #expect(applied.status == 0, "\(applied.stdout)\(applied.stderr)\n\(daemon.log)")
        #expect(applied.stdout.contains("\"tenantsRemoved\":1"), "\(applied.stdout)")
        #expect(applied.stdout.contains("\"sessionsEnded\":2"), "\(applied.stdout)")
        #expect(!(try carolSession.send("allocany 1")).hasPrefix("ok"))
        #expect(!(try bobOld.send("allocany 1")).hasPrefix("ok"))
        #expect(throws: (any Error).self) { try daemon.attachedTenant("carol", uid: TestUIDs.carol).quit() }
        #expect(throws: (any Error).self) { try daemon.attachedTenant("bob", uid: TestUIDs.bob).quit() }
        let bobNew = try daemon.attachedTenant("bob", uid: Self.bobsNewUID)
        defer { bobNew.quit() }
        try bobNew.ok("allocany 1")
        let tenants = try Self.exoctl(daemon, "--json", "tenants")
        #expect(tenants.stdout.contains("\"frameQuota\":40"), "\(tenants.stdout)")

        // 4. bob's port share shrinks: his binding outside it ends, and his session is told.
        try bobNew.ok("dp-open 64")
        try bobNew.ok("bind udp \(net.address(10)) 5150")
        let narrowed = next.replacingOccurrences(of: "udp \(net.address(10)) 5100-5199", with: "udp \(net.address(10)) 5100-5109")
        #expect(narrowed != next)
        try narrowed.write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
        let regranted = try Self.exoctl(daemon, "--json", "reload")
        #expect(regranted.stdout.contains("\"bindingsEnded\":1"), "\(regranted.stdout)\(regranted.stderr)")
        #expect(try bobNew.send("bind udp \(net.address(10)) 5150").hasPrefix("err notGranted"))
        #expect(try bobNew.ok("events").contains("grantsChanged"))
        try bobNew.ok("bind udp \(net.address(10)) 5105")

        // Through all of it, alice's echo kept answering.
        #expect(traffic.waitForAnswers(5), "echo stopped: \(alice.output)\n\(daemon.log)")
        let (sent, answered) = traffic.stop()
        #expect(answered >= sent - 3, "\(answered) of \(sent) echoed\n\(alice.output)")
        #expect(alice.process.isRunning)
    }

    static func exoctl(_ daemon: DaemonHarness, _ arguments: String...) throws -> CommandResult {
        try runCommand(BuildProducts.path("exoctl"), ["--socket", daemon.socketPath] + arguments)
    }

    /// Which of alice, bob and carol `exoctl tenants --json` lists.
    static func tenantNames(_ daemon: DaemonHarness) throws -> [String] {
        let listing = try exoctl(daemon, "--json", "tenants")
        return ["alice", "bob", "carol"].filter { listing.stdout.contains("\"name\":\"\($0)\"") }
    }

    /// `body`'s result once it stops throwing, within 5 seconds (a signal is handled soon, not at once).
    static func eventually<T>(_ body: () throws -> T) throws -> T {
        let deadline = Date().addingTimeInterval(5)
        while true {
            do { return try body() } catch {
                if Date() > deadline { throw error }
                usleep(50_000)
            }
        }
    }
}

/// Datagrams to one echo server every 20 ms from a thread of the test, counting the answers.
final class EchoTraffic: @unchecked Sendable {
    private let socket: UDPSocket
    private let address: String
    private let port: UInt16
    private let sent = Atomic<Int>(0)
    private let answered = Atomic<Int>(0)
    private let running = Atomic<Bool>(false)
    private var thread: Thread?

    init(net: any TestNet, to address: String, port: UInt16) throws {
        socket = try net.peerSocket()
        self.address = address
        self.port = port
    }

    func start() {
        running.store(true, ordering: .relaxed)
        let thread = Thread { [self] in
            var sequence = 0
            while running.load(ordering: .relaxed) {
                sequence += 1
                guard (try? socket.send("echo-\(sequence)", to: address, port: port)) != nil else { continue }
                sent.add(1, ordering: .relaxed)
                if let answer = try? socket.receive(timeoutMilliseconds: 500), answer == "echo-\(sequence)" {
                    answered.add(1, ordering: .relaxed)
                }
                usleep(20_000)
            }
        }
        self.thread = thread
        thread.start()
    }

    /// Whether `count` more answers arrive within 5 seconds.
    func waitForAnswers(_ count: Int) -> Bool {
        let target = answered.load(ordering: .relaxed) + count
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            if answered.load(ordering: .relaxed) >= target { return true }
            usleep(20_000)
        }
        return false
    }

    /// Stops sending; returns (sent, answered).
    @discardableResult
    func stop() -> (Int, Int) {
        running.store(false, ordering: .relaxed)
        usleep(600_000)
        return (sent.load(ordering: .relaxed), answered.load(ordering: .relaxed))
    }
}
