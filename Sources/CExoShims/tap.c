// TAP device creation: fills struct ifreq for TUNSETIFF and reads it back with TUNGETIFF,
// so Swift never touches the union inside ifreq.
#define _GNU_SOURCE
#include "CExoShims.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

_Static_assert(CEXO_IFNAMSIZ == IFNAMSIZ, "IFNAMSIZ");
_Static_assert(CEXO_IFF_TAP == IFF_TAP, "IFF_TAP");
_Static_assert(CEXO_IFF_NO_PI == IFF_NO_PI, "IFF_NO_PI");
_Static_assert(CEXO_IFF_TUN_EXCL == IFF_TUN_EXCL, "IFF_TUN_EXCL");
_Static_assert(CEXO_IFF_PERSIST == IFF_PERSIST, "IFF_PERSIST");

int cexo_tap_attach(int fd, const char *name, char *chosen) {
    size_t length = strlen(name);
    if (length >= IFNAMSIZ) {
        errno = ENAMETOOLONG;
        return -1;
    }
    struct ifreq request;
    memset(&request, 0, sizeof request);
    memcpy(request.ifr_name, name, length);
    // ifr_flags is a short and IFF_TUN_EXCL is bit 15: the cast keeps the bit pattern.
    request.ifr_flags = (short)(IFF_TAP | IFF_NO_PI | IFF_TUN_EXCL);
    if (ioctl(fd, TUNSETIFF, &request) != 0) return -1;
    memcpy(chosen, request.ifr_name, IFNAMSIZ);
    chosen[IFNAMSIZ - 1] = '\0';
    return 0;
}

int cexo_tap_flags(int fd, int *flags) {
    struct ifreq request;
    memset(&request, 0, sizeof request);
    if (ioctl(fd, TUNGETIFF, &request) != 0) return -1;
    *flags = (unsigned short)request.ifr_flags;
    return 0;
}
