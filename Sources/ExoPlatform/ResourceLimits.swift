// The limits that cap the frame pool (one descriptor and one mapping per frame) and the
// usage figures the daemon reports: RLIMIT_NOFILE, vm.max_map_count, open fds, RSS.
import Glibc

public enum ResourceLimits {
    /// RLIMIT_NOFILE of this process; `UInt64.max` stands for unlimited.
    public static func openFiles() -> (soft: UInt64, hard: UInt64) {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return (0, 0) }
        return (UInt64(limit.rlim_cur), UInt64(limit.rlim_max))
    }

    /// The hard RLIMIT_NOFILE of this process (`UInt64.max`: unlimited); throws when
    /// getrlimit fails, for callers that must not mistake a failure for a limit of 0.
    public static func hardOpenFiles() throws(SystemError) -> UInt64 {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else {
            throw .lastError("getrlimit")
        }
        // RLIM_INFINITY is all ones; Glibc's macro does not import, so compare with rlim_t.max.
        return limit.rlim_max == rlim_t.max ? UInt64.max : UInt64(limit.rlim_max)
    }

    /// Raises this process's soft RLIMIT_NOFILE to its hard limit, as long-running daemons do
    /// (a stock shell's soft limit of 1024 would cap the frame pool far below what the host
    /// allows; raising the soft limit up to the hard one needs no privilege). Returns the soft
    /// limit in force afterwards (`UInt64.max`: unlimited); on failure the old one stays.
    @discardableResult
    public static func raiseOpenFilesToHardLimit() -> UInt64 {
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return 0 }
        if limit.rlim_cur != limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(resource, &raised) == 0 { limit = raised }
        }
        return limit.rlim_cur == rlim_t.max ? UInt64.max : UInt64(limit.rlim_cur)
    }

    /// The system's cap on mappings per process (/proc/sys/vm/max_map_count), nil if unreadable.
    public static func maxMapCount() -> Int? {
        ProcFiles.text("/proc/sys/vm/max_map_count").flatMap { Int($0.trimmingSpaces) }
    }

    /// Open descriptors of process `pid` (entries of /proc/PID/fd; for this process, not
    /// counting the one used to list them). Nil if the directory cannot be read.
    public static func openDescriptorCount(pid: Int32 = getpid()) -> Int? {
        ProcFiles.entryCount("/proc/\(pid)/fd", excludingOwnDescriptor: pid == getpid())
    }

    /// Resident set size of process `pid` in bytes (VmRSS in /proc/PID/status), nil if unknown.
    public static func residentBytes(pid: Int32) -> Int? {
        guard let status = ProcFiles.text("/proc/\(pid)/status") else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let fields = line.dropFirst("VmRSS:".count).split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count == 2, fields[1] == "kB", let kilobytes = Int(fields[0]) else { return nil }
            return kilobytes * 1024
        }
        return nil
    }
}

extension String {
    /// Without leading and trailing spaces, tabs and newlines.
    fileprivate var trimmingSpaces: Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return self[first...last]
    }
}
