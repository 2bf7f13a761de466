// JournalStream: standard error is the journal exactly when JOURNAL_STREAM names fd 2's device
// and inode; a stale or absent variable means a terminal or a file.

import ExoPlatform
import Glibc
import Testing

@Suite(.serialized)
struct JournalStreamTests {
    /// Runs `body` with JOURNAL_STREAM set to `value` (unset for nil), then restores it.
    func with(_ value: String?, _ body: () -> Void) {
        let saved = getenv("JOURNAL_STREAM").map { String(cString: $0) }
        if let value { setenv("JOURNAL_STREAM", value, 1) } else { unsetenv("JOURNAL_STREAM") }
        body()
        if let saved { setenv("JOURNAL_STREAM", saved, 1) } else { unsetenv("JOURNAL_STREAM") }
    }

    @Test func theVariableNamingStandardErrorMeansTheJournal() {
        var info = stat()
        #expect(fstat(2, &info) == 0)
        with("\(info.st_dev):\(info.st_ino)") { #expect(JournalStream.isStandardError()) }
    }

    @Test func aVariableNamingAnotherStreamOrNoneDoesNot() {
        var info = stat()
        #expect(fstat(2, &info) == 0)
        with("\(info.st_dev):\(info.st_ino &+ 1)") { #expect(!JournalStream.isStandardError()) }
        with(nil) { #expect(!JournalStream.isStandardError()) }
        with("not a stream") { #expect(!JournalStream.isStandardError()) }
    }
}
