// What an application sees with `import ExOS` alone: the control client (sessions' errors,
// socket path, exit statuses), the wire types its calls take and return (frame numbers,
// holdings, endpoints, data-path info) and the packet layer's addresses and views.
// Re-exported so that one import is enough; none of these modules has syscalls of its own.

@_exported import ExoClient
@_exported import ExoPacket
@_exported import ExoWire
