// Whether standard error is the systemd journal. systemd sets JOURNAL_STREAM to the
// "DEVICE:INODE" of the stream it connects a service's output to (systemd.exec(5)); a process
// whose standard error was redirected elsewhere may still inherit the variable, so the
// descriptor itself is compared. Lines for the journal carry a "<N>" priority prefix; a
// terminal gets them plain.

import Glibc

public enum JournalStream {
    /// True when fd 2 is the stream JOURNAL_STREAM names.
    public static func isStandardError() -> Bool {
        guard let value = getenv("JOURNAL_STREAM") else { return false }
        var info = stat()
        guard fstat(2, &info) == 0 else { return false }
        return String(cString: value) == "\(info.st_dev):\(info.st_ino)"
    }
}
