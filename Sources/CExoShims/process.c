// Process and device calls Swift cannot import: set/getres[ug]id (GNU-only), the variadic
// prctl and ioctl, TUN request numbers built by macros, and strerrordesc_np.
#define _GNU_SOURCE
#include "CExoShims.h"

#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <unistd.h>

const char *cexo_strerror(int errnum) { return strerrordesc_np(errnum); }

int cexo_setresuid(uint32_t ruid, uint32_t euid, uint32_t suid) { return setresuid(ruid, euid, suid); }
int cexo_setresgid(uint32_t rgid, uint32_t egid, uint32_t sgid) { return setresgid(rgid, egid, sgid); }

int cexo_getresuid(uint32_t *ruid, uint32_t *euid, uint32_t *suid) {
    uid_t r, e, s;
    if (getresuid(&r, &e, &s) != 0) return -1;
    *ruid = r;
    *euid = e;
    *suid = s;
    return 0;
}

int cexo_getresgid(uint32_t *rgid, uint32_t *egid, uint32_t *sgid) {
    gid_t r, e, s;
    if (getresgid(&r, &e, &s) != 0) return -1;
    *rgid = r;
    *egid = e;
    *sgid = s;
    return 0;
}

int cexo_prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5) {
    return prctl(option, a2, a3, a4, a5);
}

int cexo_ioctl_pointer(int fd, unsigned long request, void *pointer) { return ioctl(fd, request, pointer); }
int cexo_ioctl_int(int fd, unsigned long request, int value) { return ioctl(fd, request, value); }

unsigned long cexo_tunsetiff(void) { return TUNSETIFF; }
unsigned long cexo_tunsetpersist(void) { return TUNSETPERSIST; }
unsigned long cexo_tunsetoffload(void) { return TUNSETOFFLOAD; }
unsigned long cexo_tunsetvnethdrsz(void) { return TUNSETVNETHDRSZ; }
