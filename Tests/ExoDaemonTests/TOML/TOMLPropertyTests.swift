// Properties of the parser over random input: any document, written in any valid way, parses
// back to itself; any mutation of a valid text either parses or is refused with a position
// inside the text — it never traps (a trap would end the test process, and the daemon).

import Foundation
import Testing

@testable import ExoDaemon

@Suite("TOML parser: properties")
struct TOMLPropertyTests {
    @Test("a random document rendered to TOML text parses back to the same values", arguments: 0..<8)
    func renderedDocumentsParseBack(batch: UInt64) throws {
        for seed in batch * 250..<(batch + 1) * 250 {
            var documents = RandomTOMLDocuments(seed: seed)
            let document = documents.table(depth: 0)
            let text = documents.render(document)
            do {
                let parsed = try TOMLDocumentParser.parse(text)
                #expect(parsed == document, "seed \(seed):\n\(text)")
            } catch {
                Issue.record("seed \(seed): \(error)\n\(text)")
            }
        }
    }

    /// Bytes a mutation writes: TOML's punctuation, quotes, escapes, line ends, digits and a
    /// few that are never valid (NUL, DEL, a lone UTF-8 lead byte).
    static let mutationBytes = Array("[]{}=,.\"'\\#\n\r\t 0123456789abefinotuxU+-_:".utf8) + [0x00, 0x7F, 0xC3, 0xFF]

    @Test("random mutations of valid texts are parsed or refused with a position in the text", arguments: 0..<4)
    func mutationsNeverTrap(batch: UInt64) throws {
        let example = try String(contentsOfFile: ConfigFixtures.exampleConfigPath, encoding: .utf8)
        for seed in batch * 1500..<(batch + 1) * 1500 {
            var documents = RandomTOMLDocuments(seed: seed)
            var bytes = Array((seed % 3 == 0 ? example : documents.render(documents.table(depth: 0))).utf8)
            for _ in 0..<Int.random(in: 1...6, using: &documents.random) { mutate(&bytes, using: &documents.random) }
            let text = String(decoding: bytes, as: UTF8.self)
            do {
                _ = try TOMLDocumentParser.parse(text)
            } catch {
                let lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
                #expect(error.line >= 1 && error.line <= lines.count, "seed \(seed): \(error)")
                #expect(error.column >= 1 && !error.message.isEmpty, "seed \(seed): \(error)")
            }
            // The whole loader too: a refusal names the file.
            do {
                _ = try ConfigLoader.parse(text, file: "m.toml")
            } catch {
                #expect(error.file == "m.toml" && !error.message.isEmpty)
            }
        }
    }

    private func mutate(_ bytes: inout [UInt8], using random: inout SeededTOMLGenerator) {
        let byte = Self.mutationBytes.randomElement(using: &random)!
        let index = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &random)
        switch Int.random(in: 0..<4, using: &random) {
        case 0 where !bytes.isEmpty: bytes[index] = byte
        case 1: bytes.insert(byte, at: index)
        case 2 where !bytes.isEmpty: bytes.remove(at: index)
        default:
            // Repeat a slice: deep nesting, repeated headers and keys.
            let end = min(bytes.count, index + Int.random(in: 1...16, using: &random))
            let slice = bytes[index..<end]
            for _ in 0..<Int.random(in: 1...80, using: &random) { bytes.insert(contentsOf: slice, at: index) }
        }
    }

    @Test("the configuration example and the manual page's example parse with the same parser")
    func repositoryExamplesParse() throws {
        let example = try String(contentsOfFile: ConfigFixtures.exampleConfigPath, encoding: .utf8)
        let document = try TOMLDocumentParser.parse(example)
        #expect(document.keys.contains("daemon") && document.keys.contains("tenant"))
    }
}
