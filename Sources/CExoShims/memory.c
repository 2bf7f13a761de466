// Memory-file calls Swift cannot import: memfd_create, file seals and hole punching,
// all GNU-only declarations in glibc.
#define _GNU_SOURCE
#include "CExoShims.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/mman.h>

int cexo_memfd_create_sealable(const char *name) {
    return memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
}

int cexo_add_seals(int fd, int seals) { return fcntl(fd, F_ADD_SEALS, seals); }

int cexo_get_seals(int fd) { return fcntl(fd, F_GET_SEALS); }

int cexo_punch_hole(int fd, off_t offset, off_t length) {
    return fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, length);
}
