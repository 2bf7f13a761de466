// exo-fuzz: one binary for every fuzz target. Built by scripts/fuzz.sh (the fuzzer sanitizer
// and -DEXO_LIBFUZZER) it is a libFuzzer binary for the target named by $EXO_FUZZ_TARGET;
// built normally, it replays files through the same entry points (`exo-fuzz TARGET FILE...`).

import ExoFuzzing
import Foundation
import Logging

/// The target of this process, chosen once; the daemon's log is silenced (a hostile tenant
/// makes it warn on nearly every input, which would only slow the fuzzer down).
let selectedTarget: FuzzTarget = {
    LoggingSystem.bootstrap { _ in SwiftLogNoOpLogHandler() }
    let name = ProcessInfo.processInfo.environment["EXO_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        fatalError("set EXO_FUZZ_TARGET to one of: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return target
}()

/// Runs one input; a finding is a crash, which libFuzzer records as a crash file.
@discardableResult
func runOne(_ target: FuzzTarget, _ bytes: UnsafeRawBufferPointer) -> FuzzVerdict {
    do {
        return try target.run(bytes)
    } catch {
        fatalError("\(target.rawValue): \(error)")
    }
}

#if EXO_LIBFUZZER
    /// libFuzzer's entry point: one input, borrowed for the duration of the call.
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        runOne(selectedTarget, UnsafeRawBufferPointer(start: data, count: size))
        return 0
    }
#else
    @main
    struct ReplayFiles {
        static func main() {
            let arguments = CommandLine.arguments.dropFirst()
            if arguments.first == "seeds" { writeSeeds(Array(arguments.dropFirst())) }
            guard let name = arguments.first, let target = FuzzTarget(rawValue: name), arguments.count > 1 else {
                let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")
                FileHandle.standardError.write(Data("usage: exo-fuzz \(names) FILE...\n".utf8))
                exit(2)
            }
            LoggingSystem.bootstrap { _ in SwiftLogNoOpLogHandler() }
            for path in arguments.dropFirst() {
                guard let data = FileManager.default.contents(atPath: path) else {
                    FileHandle.standardError.write(Data("exo-fuzz: cannot read \(path)\n".utf8))
                    exit(1)
                }
                let verdict = data.withUnsafeBytes { runOne(target, $0) }
                print("\(path): \(verdict), no finding")
            }
        }

        /// `exo-fuzz seeds TARGET DIR`: writes the target's generated seeds into DIR.
        static func writeSeeds(_ arguments: [String]) -> Never {
            guard arguments.count == 2, let target = FuzzTarget(rawValue: arguments[0]) else {
                FileHandle.standardError.write(Data("usage: exo-fuzz seeds TARGET DIR\n".utf8))
                exit(2)
            }
            for seed in FuzzSeeds.seeds(for: target) {
                let path = arguments[1] + "/" + seed.name
                guard FileManager.default.createFile(atPath: path, contents: Data(seed.bytes)) else {
                    FileHandle.standardError.write(Data("exo-fuzz: cannot write \(path)\n".utf8))
                    exit(1)
                }
                print(path)
            }
            exit(0)
        }
    }
#endif
