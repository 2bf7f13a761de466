// Compile-time checks that the constants and struct layouts Swift relies on match this
// kernel and libc; a mismatch fails the build instead of corrupting memory at run time.
#define _GNU_SOURCE
#include "CExoShims.h"

#include <fcntl.h>
#include <sys/socket.h>

// Mirrored constants (CExoShims.h) equal the real ones.
_Static_assert(CEXO_SEAL_SEAL == F_SEAL_SEAL, "F_SEAL_SEAL");
_Static_assert(CEXO_SEAL_SHRINK == F_SEAL_SHRINK, "F_SEAL_SHRINK");
_Static_assert(CEXO_SEAL_GROW == F_SEAL_GROW, "F_SEAL_GROW");
_Static_assert(CEXO_SEAL_WRITE == F_SEAL_WRITE, "F_SEAL_WRITE");
_Static_assert(CEXO_SEAL_FUTURE_WRITE == F_SEAL_FUTURE_WRITE, "F_SEAL_FUTURE_WRITE");
_Static_assert(CEXO_SO_PEERGROUPS == SO_PEERGROUPS, "SO_PEERGROUPS");

// Credentials are copied field by field into 32-bit values.
_Static_assert(sizeof(pid_t) == 4 && sizeof(uid_t) == 4 && sizeof(gid_t) == 4, "32-bit ids");
_Static_assert(sizeof(struct ucred) == 12, "struct ucred");

// SO_PEERGROUPS fills a gid_t array that Swift allocates as UInt32.
_Static_assert(sizeof(gid_t) == sizeof(uint32_t), "gid_t");

// Swift builds sockaddr_un itself: a 108-byte path after a 2-byte family.
_Static_assert(sizeof(((struct sockaddr_un *)0)->sun_path) == 108, "sun_path");
_Static_assert(offsetof(struct sockaddr_un, sun_path) == 2, "sockaddr_un");

// Swift reads epoll_event.events and .data.u64 directly (packed on x86_64: 12 bytes).
#if defined(__x86_64__)
_Static_assert(sizeof(struct epoll_event) == 12, "epoll_event packed");
_Static_assert(offsetof(struct epoll_event, data) == 4, "epoll_event.data");
#else
_Static_assert(sizeof(struct epoll_event) == 16, "epoll_event");
#endif

// eventfd and timerfd counters are 8 bytes; a signalfd read is one 128-byte record.
_Static_assert(sizeof(eventfd_t) == 8, "eventfd_t");
_Static_assert(sizeof(struct signalfd_siginfo) == 128, "signalfd_siginfo");
