// Placeholder header; the shim lands with ExoPlatform.
#pragma once
int cexo_placeholder(void);
