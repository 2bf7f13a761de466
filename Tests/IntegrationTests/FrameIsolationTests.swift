// The seed's first question, answered by running processes: A allocates frame n; B (another
// uid) can neither allocate, unref, grant, map nor otherwise reach n, until A grants it.

import Foundation
import Testing

@Suite(.serialized, .enabled(if: getuid() == 0, "needs root to run tenants as other uids"))
struct FrameIsolationTests {
    @Test func anotherTenantCannotTouchAFrameItDoesNotHold() throws {
        let daemon = try DaemonHarness()
        defer { daemon.stop() }
        let a = try daemon.attachedTenant("alice", uid: TestUIDs.alice)
        defer { a.quit() }
        let b = try daemon.attachedTenant("bob", uid: TestUIDs.bob)
        defer { b.quit() }

        #expect(try a.ok("alloc 7") == "frames=7")
        try a.ok("map 7")
        try a.ok("fill 7 171")
        let inodeOfN = try #require(TenantProcess.value("inode", in: try a.ok("inode 7")))

        // B is refused every way in, with the documented errors.
        #expect(try b.send("alloc 7").hasPrefix("err alreadyAllocated"))
        #expect(try b.send("unref 7").hasPrefix("err notHolder"))
        #expect(try b.send("map 7").hasPrefix("err notHolder"))
        #expect(try b.send("grant 7 r bob").hasPrefix("err notHolder"))
        #expect(try b.send("grant 7 r alice").hasPrefix("err notHolder"))
        // B holds no descriptor or mapping of n's memory.
        let bInodes = try b.ok("inodes")
        #expect(!(TenantProcess.value("inodes", in: bInodes) ?? "").split(separator: ",").contains(Substring(inodeOfN)))
        // ...and cannot reach it through A's or the daemon's /proc entries.
        let aPid = a.pid
        #expect(try b.send("try-open /proc/\(aPid)/mem").hasPrefix("err"))
        #expect(try b.send("try-open /proc/\(aPid)/mem rw").hasPrefix("err"))
        for fd in 0..<64 {
            #expect(try b.send("try-open /proc/\(aPid)/fd/\(fd)").hasPrefix("err"))
            #expect(try b.send("try-open /proc/\(daemon.pid)/fd/\(fd)").hasPrefix("err"))
        }
        #expect(try b.send("try-open /proc/\(daemon.pid)/mem").hasPrefix("err"))

        // A grants read to B; B redeems and reads A's bytes.
        let token = try #require(TenantProcess.value("token", in: try a.ok("grant 7 r bob")))
        #expect(try b.ok("redeem \(token)") == "frame=7 rights=r--")
        try b.ok("map 7")
        #expect(try b.ok("read 7") == "byte=171 uniform=true")
        // B's writable mapping, writable reopen and private writes leave A's bytes unchanged.
        #expect(try b.send("try-map-shared-writable 7").hasPrefix("err errno=13"))
        #expect(try b.send("try-reopen-writable 7").hasPrefix("err errno=13"))
        try b.ok("private-write 7")
        #expect(try a.ok("read 7") == "byte=171 uniform=true")
        #expect(try b.ok("read 7") == "byte=171 uniform=true")
        // A token is single use.
        #expect(try b.send("redeem \(token)").hasPrefix("err"))

        // After both unref, n is free as exoctl reports it.
        try a.ok("unref 7")
        #expect(try framesListed(daemon).contains(7))
        try b.ok("unref 7")
        #expect(!(try framesListed(daemon).contains(7)))
    }

    @Test(arguments: ["kill", "disconnect"])
    func framesOfAGoneTenantAreFreeAndFreshForTheNext(how: String) throws {
        let daemon = try DaemonHarness()
        defer { daemon.stop() }
        let a = try daemon.attachedTenant("alice", uid: TestUIDs.alice)
        defer { a.quit() }
        let b = try daemon.attachedTenant("bob", uid: TestUIDs.bob)
        defer { b.quit() }
        try a.ok("alloc 3 4 5")
        try a.ok("map 3 4 5")
        for n in [3, 4, 5] { try a.ok("fill \(n) 90") }
        // B holds frame 9 too, shared with A: it must survive A's end intact.
        try b.ok("alloc 9")
        try b.ok("map 9")
        try b.ok("fill 9 66")
        let token = try #require(TenantProcess.value("token", in: try b.ok("grant 9 r alice")))
        try a.ok("redeem \(token)")

        let ended = Date()
        if how == "kill" { a.kill9() } else { try a.ok("disconnect") }
        // Within one second the frames are free: B allocates those exact numbers.
        var allocated = false
        while Date().timeIntervalSince(ended) < 1.0 {
            if try b.send("alloc 3 4 5").hasPrefix("ok") { allocated = true; break }
            usleep(20_000)
        }
        #expect(allocated, "frames of a gone tenant were not free within 1 s")
        try b.ok("map 3 4 5")
        for n in [3, 4, 5] { #expect(try b.ok("read \(n)") == "byte=0 uniform=true") }
        #expect(try b.ok("read 9") == "byte=66 uniform=true")
        if how == "disconnect" {
            // A still maps its old memory; B's writes to the new backing do not reach it.
            try b.ok("fill 3 200")
            #expect(try a.ok("read 3") == "byte=90 uniform=true")
        }
        #expect(try b.send("alloc 10").hasPrefix("ok"))
    }

    @Test func quotasBoundAllocationAndGrantsNeedRedeeming() throws {
        let daemon = try DaemonHarness(tenants: [("alice", TestUIDs.alice, 4), ("bob", TestUIDs.bob, 2)])
        defer { daemon.stop() }
        let a = try daemon.attachedTenant("alice", uid: TestUIDs.alice)
        defer { a.quit() }
        let b = try daemon.attachedTenant("bob", uid: TestUIDs.bob)
        defer { b.quit() }
        try a.ok("allocany 4")
        #expect(try a.send("allocany 1").hasPrefix("err overQuota"))
        try b.ok("alloc 20 21")
        // Offers do not count against bob until he redeems, and redeeming is refused over quota.
        let t1 = try #require(TenantProcess.value("token", in: try a.ok("grant 0 r bob")))
        #expect(try b.send("redeem \(t1)").hasPrefix("err overQuota"))
        try b.ok("unref 21")
        try b.ok("redeem \(t1)")
        #expect(try b.send("alloc 22").hasPrefix("err overQuota"))
    }

    @Test func unknownPeersAreRefusedWithAReason() throws {
        let daemon = try DaemonHarness()
        defer { daemon.stop() }
        // carol's uid is not configured for alice; root is not a tenant without the test flag.
        let c = try TenantProcess(socketPath: daemon.socketPath, uid: TestUIDs.carol)
        defer { c.quit() }
        let answer = try c.send("attach alice")
        #expect(answer.hasPrefix("err notPermitted"))
        #expect(answer.contains("may not attach"))
        let root = try TenantProcess(socketPath: daemon.socketPath, uid: nil)
        defer { root.quit() }
        #expect(try root.send("attach alice").hasPrefix("err notPermitted"))
        let nobody = try TenantProcess(socketPath: daemon.socketPath, uid: TestUIDs.carol)
        defer { nobody.quit() }
        #expect(try nobody.send("attach-operator").hasPrefix("err notOperator"))
    }

    /// Frame numbers `exoctl frames --json` lists as allocated.
    private func framesListed(_ daemon: DaemonHarness) throws -> Set<Int> {
        let result = try runCommand(BuildProducts.path("exoctl"), ["frames", "--json", "--socket", daemon.socketPath])
        guard result.status == 0 else { throw HarnessError("exoctl frames failed: \(result.stderr)") }
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        let entries = (json as? [[String: Any]]) ?? ((json as? [String: Any])?["frames"] as? [[String: Any]]) ?? []
        return Set(entries.compactMap { $0["frame"] as? Int })
    }
}
