// The revocation events a session is owed, in order: unlike the offers and grants notices
// they are never coalesced away (each says something the tenant must act on), but a newer
// `revocationRequested` for the same id replaces the older (a tightened revocation) and
// `repossessed` events for the same id merge, so the queue stays as short as the revocations.

import ExoWire

/// A session's unsent revocation events.
struct RevocationEvents {
    private(set) var pending: [Event] = []

    var isEmpty: Bool { pending.isEmpty }

    /// The daemon asks (again, tightened) for revocation `notice.id`.
    mutating func requested(_ notice: RevocationNotice) {
        for index in pending.indices {
            if case .revocationRequested(let old) = pending[index], old.id == notice.id {
                pending[index] = .revocationRequested(notice)
                return
            }
        }
        pending.append(.revocationRequested(notice))
    }

    /// The abort protocol took `frames` (and condemned `condemned` more) for revocation `id`.
    mutating func repossessed(id: UInt64, frames: [FrameNumber], condemned: UInt32) {
        for index in pending.indices {
            if case .repossessed(var old) = pending[index], old.id == id,
                old.frames.count + frames.count <= RepossessionNotice.maxFrames
            {
                old.frames += frames
                old.condemned = old.condemned &+ condemned
                pending[index] = .repossessed(old)
                return
            }
        }
        var rest = frames[...]
        repeat {
            let chunk = Array(rest.prefix(RepossessionNotice.maxFrames))
            rest = rest.dropFirst(chunk.count)
            pending.append(.repossessed(RepossessionNotice(id: id, frames: chunk, condemned: rest.isEmpty ? condemned : 0)))
        } while !rest.isEmpty
    }

    /// The memory of `frame`, which this session holds, moved: it must map it again.
    mutating func moved(_ frame: FrameNumber) {
        for index in pending.indices {
            if case .framesMoved(var old) = pending[index], old.frames.count < FramesMoved.maxFrames {
                if !old.frames.contains(frame) { old.frames.append(frame) }
                pending[index] = .framesMoved(old)
                return
            }
        }
        pending.append(.framesMoved(FramesMoved(frames: [frame])))
    }

    /// The oldest event, removed.
    mutating func take() -> Event? { pending.isEmpty ? nil : pending.removeFirst() }
}
