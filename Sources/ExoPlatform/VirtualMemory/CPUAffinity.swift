// Where threads run. Fault paths that cross threads cost a wake-up, and on this VM a wake-up
// across vCPUs costs far more than the fault itself (PLATFORM.md): benchmarks pin and say so.
import CExoShims
import Glibc

public enum CPUAffinity {
    /// Pins the calling thread to `cpu` (sched_setaffinity).
    public static func pinCurrentThread(to cpu: Int) throws(SystemError) {
        _ = try Syscall.retrying("sched_setaffinity(\(cpu))") { cexo_pin_current_thread(Int32(cpu)) }
    }

    /// The CPU the calling thread runs on at this instant (sched_getcpu).
    public static var currentCPU: Int { Int(cexo_current_cpu()) }

    /// CPUs online (sysconf).
    public static var onlineCount: Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
}
