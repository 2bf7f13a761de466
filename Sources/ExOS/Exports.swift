// What an application sees with `import ExOS` alone: the control client (sessions' errors,
// socket path, exit statuses), the wire types its calls take and return (frame numbers,
// holdings, endpoints, data-path info), the packet layer's addresses and views, and the
// impairment profiles a simulation takes.
// Re-exported so that one import is enough; none of these modules has syscalls of its own.

@_exported import ExoClient
@_exported import ExoImpairment
@_exported import ExoPacket
@_exported import ExoWire
