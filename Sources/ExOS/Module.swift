// Placeholder until the module lands; replaced by real sources.
