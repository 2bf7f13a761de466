#include "CExoShims.h"
int cexo_placeholder(void) { return 0; }
