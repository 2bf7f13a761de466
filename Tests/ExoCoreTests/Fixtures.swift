// Shared set-up for the arbiter's specifications: a small pool, three tenants with
// different quotas, and a fixed token key so failures reproduce.
import Crypto
import ExoCore
import ExoWire
import Testing

enum Fixture {
    static let alice: TenantID = 0
    static let bob: TenantID = 1
    static let carol: TenantID = 2
    static let key = SymmetricKey(data: [UInt8](repeating: 0x5A, count: 32))
    static let runID: UInt64 = 0x1234_5678_9ABC_DEF0

    static let tenants = [
        TenantSpec(id: alice, name: "alice", frameQuota: 8),
        TenantSpec(id: bob, name: "bob", frameQuota: 8),
        TenantSpec(id: carol, name: "carol", frameQuota: 2),
    ]

    static func arbiter(frames: UInt32 = 16, key: SymmetricKey = key, runID: UInt64 = runID) -> Arbiter {
        Arbiter(frameCount: frames, tenants: tenants, tokenKey: key, runID: runID)
    }
}

/// The `ExoError` a throwing call raised, or nil if it succeeded. (Closures infer untyped
/// `throws` here; any other error is recorded as a test failure.)
func refusal<T>(_ body: () throws -> T) -> ExoError? {
    do {
        _ = try body()
        return nil
    } catch let error as ExoError {
        return error
    } catch {
        Issue.record("not an ExoError: \(error)")
        return nil
    }
}
