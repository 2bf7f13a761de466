// Specification of the small shared pieces: an owned descriptor is closed exactly once
// unless released, errors print the errno text, and the monotonic clock moves forward.
import ExoPlatform
import Glibc
import Testing

@Suite struct OwnedDescriptorTests {
    @Test func droppingTheOwnerClosesTheDescriptor() throws {
        let pipe = try Pipe()
        var owner: OwnedDescriptor? = OwnedDescriptor(adopting: dup(pipe.writeEnd.raw))
        pipe.writeEnd.close()
        #expect(pipe.readResult() == -1)  // a writer is still open: the adopted duplicate
        #expect(owner != nil)
        owner = nil
        #expect(pipe.readResult() == 0)  // end of file: it was closed
    }

    @Test func releaseHandsOverTheDescriptorWithoutClosingIt() throws {
        let pipe = try Pipe()
        let owner = OwnedDescriptor(adopting: dup(pipe.writeEnd.raw))
        let raw = owner.release()
        #expect(owner.raw == -1)
        #expect(owner.release() == -1)
        owner.close()  // owns nothing now
        pipe.writeEnd.close()
        #expect(pipe.readResult() == -1)  // `raw` is still open
        #expect(close(raw) == 0)
        #expect(pipe.readResult() == 0)
    }

    @Test func closeIsIdempotent() throws {
        let pipe = try Pipe()
        pipe.writeEnd.close()
        pipe.writeEnd.close()
        #expect(pipe.writeEnd.raw == -1)
        #expect(pipe.readResult() == 0)
    }
}

@Suite struct SystemErrorTests {
    @Test func descriptionNamesTheOperationTheErrnoTextAndNumber() {
        #expect(SystemError(operation: "connect", errno: ENOENT).description == "connect: No such file or directory (errno 2)")
        #expect(SystemError(operation: "x", errno: 99999).description == "x: Unknown error (errno 99999)")
    }
}

@Suite struct MonotonicClockTests {
    @Test func theClockAdvancesAtLeastAsMuchAsASleep() {
        let start = MonotonicClock.nanoseconds()
        usleep(2000)
        let end = MonotonicClock.nanoseconds()
        #expect(end >= start + 2_000_000)
        #expect(end - start < 10_000_000_000)
    }
}
