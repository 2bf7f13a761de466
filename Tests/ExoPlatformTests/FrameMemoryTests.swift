// Specification of frame backing: a sealed 0600 memfd of fixed size, read-only reopenings
// that the kernel refuses to map writable-shared, and hole punching that zeroes in place.
import CExoShims
import ExoPlatform
import Glibc
import Testing

private let frameSize = 4096

@Suite struct FrameMemoryTests {
    @Test func aSealedFrameHasItsSizeMode0600AndIsCloseOnExec() throws {
        let frame = try FrameMemory.createSealed(name: "frame-7", size: frameSize)
        var status = stat()
        #expect(fstat(frame.raw, &status) == 0)
        #expect(status.st_size == frameSize)
        #expect(status.st_mode & 0o7777 == 0o600)
        #expect(isCloseOnExec(frame.raw))
    }

    @Test func aSealedFrameCarriesShrinkGrowAndSealSeals() throws {
        let frame = try FrameMemory.createSealed(name: "frame", size: frameSize)
        let seals = try FrameMemory.seals(frame.raw)
        #expect(seals == Int32(CEXO_SEAL_SHRINK | CEXO_SEAL_GROW | CEXO_SEAL_SEAL))
        #expect(seals == FrameMemory.frameSeals)
    }

    @Test func aSealedFrameCannotBeResizedOrGivenMoreSeals() throws {
        let frame = try FrameMemory.createSealed(name: "frame", size: frameSize)
        #expect(ftruncate(frame.raw, 0) == -1 && errno == EPERM)
        #expect(ftruncate(frame.raw, off_t(frameSize * 2)) == -1 && errno == EPERM)
        #expect(cexo_add_seals(frame.raw, Int32(CEXO_SEAL_FUTURE_WRITE)) == -1 && errno == EPERM)
    }

    @Test func aNewFrameReadsAsZeros() throws {
        let frame = try FrameMemory.createSealed(name: "frame", size: frameSize)
        let mapping = try MappedMemory.map(frame.raw, length: frameSize, writable: false)
        #expect(mapping.withUnsafeBytes { $0.allSatisfy { $0 == 0 } })
    }

    @Test func aReadOnlyReopeningCannotBeMappedWritableAndShared() throws {
        let frame = try FrameMemory.createSealed(name: "frame", size: frameSize)
        let readOnly = try FrameMemory.reopenReadOnly(frame.raw)
        #expect(fcntl(readOnly.raw, F_GETFL) & O_ACCMODE == O_RDONLY)
        #expect(isCloseOnExec(readOnly.raw))
        #expect(fileIdentity(readOnly.raw)! == fileIdentity(frame.raw)!)
        #expect(throws: SystemError(operation: "mmap", errno: EACCES)) {
            try MappedMemory.map(readOnly.raw, length: frameSize, writable: true, shared: true)
        }
    }

    @Test func aReadOnlyHolderSeesWritesAndItsPrivateCopyChangesNothingShared() throws {
        let frame = try FrameMemory.createSealed(name: "frame", size: frameSize)
        let owner = try MappedMemory.map(frame.raw, length: frameSize, writable: true)
        _ = owner.withUnsafeMutableBytes { $0.initializeMemory(as: UInt8.self, repeating: 0x5A) }
        let readOnly = try FrameMemory.reopenReadOnly(frame.raw)
        let reader = try MappedMemory.map(readOnly.raw, length: frameSize, writable: false)
        #expect(reader.withUnsafeBytes { $0.allSatisfy { $0 == 0x5A } })

        let privateCopy = try MappedMemory.map(readOnly.raw, length: frameSize, writable: true, shared: false)
        _ = privateCopy.withUnsafeMutableBytes { $0.initializeMemory(as: UInt8.self, repeating: 0xEE) }
        #expect(privateCopy.withUnsafeBytes { $0[0] } == 0xEE)
        #expect(owner.withUnsafeBytes { $0.allSatisfy { $0 == 0x5A } })
        #expect(reader.withUnsafeBytes { $0.allSatisfy { $0 == 0x5A } })
    }

    @Test func punchingZeroesTheFrameUnderExistingMappings() throws {
        let frame = try FrameMemory.createSealed(name: "frame", size: frameSize * 2)
        let mapping = try MappedMemory.map(frame.raw, length: frameSize * 2, writable: true)
        _ = mapping.withUnsafeMutableBytes { $0.initializeMemory(as: UInt8.self, repeating: 0xFF) }
        try FrameMemory.punch(frame.raw, size: frameSize * 2)
        #expect(mapping.withUnsafeBytes { $0.allSatisfy { $0 == 0 } })
        var status = stat()
        #expect(fstat(frame.raw, &status) == 0 && status.st_size == frameSize * 2)  // size kept
    }
}

@Suite struct MappedMemoryTests {
    @Test func unmapIsIdempotentAndLeavesAnEmptyView() throws {
        let frame = try FrameMemory.createSealed(name: "frame", size: frameSize)
        let mapping = try MappedMemory.map(frame.raw, length: frameSize, writable: true)
        #expect(mapping.length == frameSize)
        mapping.unmap()
        mapping.unmap()
        #expect(mapping.length == 0)
        #expect(mapping.withUnsafeBytes { $0.count } == 0)
    }

    @Test func aMappingOutlivesTheDescriptorItCameFrom() throws {
        let frame = try FrameMemory.createSealed(name: "frame", size: frameSize)
        let mapping = try MappedMemory.map(frame.raw, length: frameSize, writable: true)
        frame.close()
        mapping.withUnsafeMutableBytes { $0[100] = 3 }
        #expect(mapping.withUnsafeBytes { $0[100] } == 3)
    }

    @Test func aZeroLengthMappingIsRefusedWithEINVAL() throws {
        let frame = try FrameMemory.createSealed(name: "frame", size: frameSize)
        #expect(throws: SystemError(operation: "mmap", errno: EINVAL)) {
            try MappedMemory.map(frame.raw, length: 0, writable: false)
        }
    }
}
