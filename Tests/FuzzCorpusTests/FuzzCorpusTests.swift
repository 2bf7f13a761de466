// Every seed and every crash input ever found, replayed through the fuzz targets' own entry
// points in the normal test run, so CI needs no fuzzer build (docs/RELIABILITY.md).

import ExoFuzzing
import Foundation
import Testing

@Suite("Fuzz corpus replay")
struct FuzzCorpusTests {
    /// The repository's Fuzz/ directory.
    static let fuzzDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz")

    @Test(
        "every target's seed corpus exists, is not empty, and replays without a finding", arguments: FuzzTarget.allCases
    )
    func seedCorpus(target: FuzzTarget) throws {
        let files = try Self.inputs(of: target, in: "corpus")
        #expect(!files.isEmpty, "Fuzz/corpus/\(target.rawValue) holds no seed")
        for file in files { try Self.replay(file, through: target) }
    }

    @Test("every crash input ever found replays without a finding (regressions)", arguments: FuzzTarget.allCases)
    func crashInputs(target: FuzzTarget) throws {
        for file in try Self.inputs(of: target, in: "crashes") { try Self.replay(file, through: target) }
    }

    @Test("the generated seeds are in the corpus", arguments: FuzzTarget.allCases)
    func generatedSeedsCommitted(target: FuzzTarget) throws {
        let names = Set(try Self.inputs(of: target, in: "corpus").map(\.lastPathComponent))
        for seed in FuzzSeeds.seeds(for: target) {
            #expect(names.contains(seed.name), "run: exo-fuzz seeds \(target.rawValue) Fuzz/corpus/\(target.rawValue)")
        }
    }

    @Test("every generated seed gets as far as it is meant to", arguments: FuzzTarget.allCases)
    func seedsReachTheirPoint(target: FuzzTarget) throws {
        for seed in FuzzSeeds.seeds(for: target) {
            let verdict = try target.run(seed.bytes)
            #expect(verdict == seed.verdict, "seed \(seed.name) of \(target.rawValue)")
        }
    }

    @Test("the example configuration loads and is valid; a broken one is refused with precise errors")
    func configurationSeeds() throws {
        let corpus = Self.fuzzDirectory.appendingPathComponent("corpus/config-loading")
        let example = [UInt8](try Data(contentsOf: corpus.appendingPathComponent("example.toml")))
        #expect(try FuzzTarget.configLoading.run(example) == .accepted)
        let broken = [UInt8](try Data(contentsOf: corpus.appendingPathComponent("every-range-broken.toml")))
        #expect(try FuzzTarget.configLoading.run(broken) == .refused)
    }

    /// The input files of `target` under Fuzz/`kind`/ (hidden files such as .gitkeep aside);
    /// throws if the directory is missing.
    static func inputs(of target: FuzzTarget, in kind: String) throws -> [URL] {
        let directory = fuzzDirectory.appendingPathComponent(kind).appendingPathComponent(target.rawValue)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        return names.filter { !$0.hasPrefix(".") }.sorted().map { directory.appendingPathComponent($0) }
    }

    static func replay(_ file: URL, through target: FuzzTarget) throws {
        let bytes = [UInt8](try Data(contentsOf: file))
        do {
            try target.run(bytes)
        } catch {
            Issue.record("\(file.lastPathComponent): \(error)")
        }
    }
}
