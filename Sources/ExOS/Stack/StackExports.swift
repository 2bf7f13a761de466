// One import for applications: the stack's API speaks in ExoPacket's addresses and views
// and ExoImpairment's profiles, so `import ExOS` brings them too.

@_exported import ExoImpairment
@_exported import ExoPacket
