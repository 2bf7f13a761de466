// Opening a session's data path (three descriptors: ring region, two eventfds) and binding
// the endpoints whose packets the daemon delivers on it.

import ExoClient
import ExoPlatform
import ExoWire
import Glibc

extension ExoSession {
    /// Asks the daemon for this session's data path with `ringCapacity` slots per ring (a
    /// power of two in `RingLayout.capacityRange`) and maps it. One per session.
    ///
    /// Ownership: the returned ``DataPath`` owns the ring region mapping and both eventfds
    /// (the region's descriptor is closed once mapped). It stays usable only while this
    /// session is open: the daemon tears the data path down when the session ends.
    /// The reply must carry exactly three descriptors and describe the layout this library
    /// computes; anything else is a `.protocolViolation` (and every descriptor is closed).
    public func openDataPath(ringCapacity: UInt32) async throws(ExOSError) -> DataPath {
        let (info, descriptors) = try await channel.callWithDescriptors(ControlCalls.openDataPath(ringCapacity: ringCapacity))
        guard descriptors.count == 3 else {
            throw .protocolViolation("dataPathOpened carried \(descriptors.count) descriptors, not 3")
        }
        let layout: SessionRingsLayout
        do throws(RingLayoutError) {
            layout = try SessionRingsLayout(version: info.layoutVersion, capacity: info.ringCapacity)
        } catch {
            throw .protocolViolation("dataPathOpened describes an unusable ring layout: \(error)")
        }
        guard info.ringCapacity == ringCapacity, Int(info.regionSize) == layout.byteCount else {
            throw .protocolViolation(
                "dataPathOpened: capacity \(info.ringCapacity) region \(info.regionSize), expected \(ringCapacity) and \(layout.byteCount)")
        }
        guard info.frameSize == self.info.frameSize else {
            throw .protocolViolation("dataPathOpened: frame size \(info.frameSize), the session's is \(self.info.frameSize)")
        }
        let regionFD = descriptors[0]
        defer { regionFD.close() }
        // A mapping past the end of the file would fault (SIGBUS) on first touch: check first.
        var status = stat()
        guard fstat(regionFD.raw, &status) == 0 else { throw .ringMapFailed(SystemError(operation: "fstat", errno: errno)) }
        guard Int(status.st_size) >= layout.byteCount else {
            throw .protocolViolation("ring region is \(status.st_size) bytes, the layout needs \(layout.byteCount)")
        }
        let region: MappedMemory
        do throws(SystemError) {
            region = try MappedMemory.map(regionFD.raw, length: layout.byteCount, writable: true, shared: true)
        } catch {
            throw .ringMapFailed(error)
        }
        let daemonToTenant = EventFD(adopting: descriptors[1])
        // The control reader writes a duplicate of the daemon's eventfd when the session ends,
        // so a tenant blocked in `wait` wakes and learns it (`.sessionEnded`).
        let copy: OwnedDescriptor
        do throws(SystemError) {
            copy = try daemonToTenant.descriptor.duplicate()
        } catch {
            throw .ringMapFailed(error)
        }
        channel.liveness.wakeOnEnd(EventFD(adopting: copy))
        return DataPath(
            region: region, layout: layout, frameSize: Int(info.frameSize), daemonToTenant: daemonToTenant,
            tenantToDaemon: EventFD(adopting: descriptors[2]), info: info, liveness: channel.liveness)
    }

    /// Asks the daemon to deliver packets for `endpoint` on this session's data path (a port
    /// of a shared address, or with protocol 0 a whole owned address). Returns what was bound.
    @discardableResult
    public func bind(_ endpoint: WireEndpoint) async throws(ExOSError) -> WireEndpoint {
        try await channel.call(ControlCalls.bind(endpoint))
    }

    /// Removes one of this session's bindings.
    @discardableResult
    public func unbind(_ endpoint: WireEndpoint) async throws(ExOSError) -> WireEndpoint {
        try await channel.call(ControlCalls.unbind(endpoint))
    }
}
