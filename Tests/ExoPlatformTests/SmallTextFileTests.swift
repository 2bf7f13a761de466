// Specification of the bounded whole-file reader the daemon's configuration code uses, the
// hard open-files limit it reads, and the wall clock captures are stamped with.
import ExoPlatform
import Foundation
import Glibc
import Testing

@Suite struct SmallTextFileTests {
    @Test func readsAFileWholeUpToAndIncludingTheLimit() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("config.toml")
        try "frames = 64\n".write(toFile: path, atomically: false, encoding: .utf8)
        #expect(try SmallTextFile.read(path: path, limit: 12) == "frames = 64\n")
        #expect(throws: SmallFileError.tooLarge(limit: 11)) { try SmallTextFile.read(path: path, limit: 11) }
    }

    @Test func namesWhatFailedWithTheErrno() throws {
        let directory = try TemporaryDirectory()
        let missing = directory.file("absent")
        #expect(throws: SmallFileError.cannotOpen(SystemError(operation: "open", errno: ENOENT))) {
            try SmallTextFile.read(path: missing, limit: 64)
        }
        #expect(SmallFileError.cannotOpen(SystemError(operation: "open", errno: ENOENT)).description
            == "cannot open: No such file or directory (errno 2)")
        #expect(throws: SmallFileError.notRegular) { try SmallTextFile.read(path: directory.path, limit: 64) }
    }

    @Test func refusesBytesThatAreNotUTF8() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("binary")
        try Data([0x66, 0xFF, 0xFE]).write(to: URL(fileURLWithPath: path))
        #expect(throws: SmallFileError.notUTF8) { try SmallTextFile.read(path: path, limit: 64) }
    }

    @Test func hardOpenFilesLimitIsTheOneGetrlimitReports() throws {
        #expect(try ResourceLimits.hardOpenFiles() == ResourceLimits.openFiles().hard)
    }

    @Test func realtimeClockIsTheWallClock() {
        let wall = UInt64(Date().timeIntervalSince1970 * 1e9)
        let clock = RealtimeClock.nanoseconds()
        // Within a second of Foundation's wall clock (both read CLOCK_REALTIME).
        #expect(clock > wall - 1_000_000_000 && clock < wall + 1_000_000_000)
    }
}
