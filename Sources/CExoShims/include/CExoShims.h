// The only hand-written C in exokernel: GNU-only declarations, macros and variadic calls
// that Swift cannot import from Glibc, wrapped as plain `cexo_` functions and constants.
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/mman.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <sys/signalfd.h>
#include <net/if.h>
#include <linux/if_tun.h>
#include <linux/if_packet.h>
#include <linux/if_ether.h>

#include "tap.h"
#include "packet.h"
#include "batch_io.h"
#include "vm.h"

// MARK: - Constants Swift cannot see (checked against the real ones in layout_checks.c)

/// Most descriptors one SCM_RIGHTS message may carry (the kernel's SCM_MAX_FD).
enum { CEXO_SCM_MAX_FD = 253 };

/// File seals (F_SEAL_*), as `cexo_add_seals` and `cexo_get_seals` take and return them.
enum {
    CEXO_SEAL_SEAL = 0x0001,
    CEXO_SEAL_SHRINK = 0x0002,
    CEXO_SEAL_GROW = 0x0004,
    CEXO_SEAL_WRITE = 0x0008,
    CEXO_SEAL_FUTURE_WRITE = 0x0010,
};

/// The socket option that reports a peer's supplementary groups (SO_PEERGROUPS).
enum { CEXO_SO_PEERGROUPS = 59 };

// MARK: - Errors

/// The text for an errno value ("No such file or directory"), or NULL when unknown.
/// The string is static: it lives for the whole process and must not be freed.
const char *cexo_strerror(int errnum);

// MARK: - Unix sockets (unix_sockets.c)

/// accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC). The caller owns the result.
int cexo_accept_nonblocking(int listener);

/// Sends one record of `length` bytes with `fd_count` (<= CEXO_SCM_MAX_FD) descriptors as
/// SCM_RIGHTS, with MSG_NOSIGNAL; blocks only if `fd` is blocking. The descriptors stay owned by the caller
/// (the kernel duplicates them). Returns sendmsg's result; errno is set on -1.
ssize_t cexo_send_record(int fd, const void *bytes, size_t length, const int *fds, int fd_count);

/// Receives one record into `buffer` with MSG_CMSG_CLOEXEC; blocks only if `fd` is blocking. Every descriptor
/// that arrived is stored in `fds` (room for CEXO_SCM_MAX_FD) and counted in `*fd_count`;
/// the caller owns them, also when -1 is returned. `*msg_flags` gets msghdr.msg_flags
/// (MSG_TRUNC, MSG_CTRUNC). Returns recvmsg's result; errno is set on -1.
ssize_t cexo_receive_record(int fd, void *buffer, size_t length, int *fds, int *fd_count, int *msg_flags);

/// SO_PEERCRED of a connected Unix socket.
int cexo_peer_credentials(int fd, int32_t *pid, uint32_t *uid, uint32_t *gid);

/// SO_PEERGROUPS: on entry `*count` is the capacity of `groups`; on success it is the number
/// stored. On -1 with errno ERANGE, `*count` is the number of groups the peer has.
int cexo_peer_groups(int fd, uint32_t *groups, uint32_t *count);

/// The MSG_* flag bits that `cexo_receive_record` reports.
int cexo_msg_trunc(void);
int cexo_msg_ctrunc(void);

// MARK: - Memory (memory.c)

/// memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING). The caller owns the result.
int cexo_memfd_create_sealable(const char *name);

/// fcntl(fd, F_ADD_SEALS, seals) with CEXO_SEAL_* bits.
int cexo_add_seals(int fd, int seals);

/// fcntl(fd, F_GET_SEALS): the CEXO_SEAL_* bits in force, or -1.
int cexo_get_seals(int fd);

/// fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, length): the range
/// reads as zeros afterwards and its memory is freed.
int cexo_punch_hole(int fd, off_t offset, off_t length);

// MARK: - Processes and devices (process.c)

/// setresuid / setresgid / getresuid / getresgid (GNU-only declarations).
int cexo_setresuid(uint32_t ruid, uint32_t euid, uint32_t suid);
int cexo_setresgid(uint32_t rgid, uint32_t egid, uint32_t sgid);
int cexo_getresuid(uint32_t *ruid, uint32_t *euid, uint32_t *suid);
int cexo_getresgid(uint32_t *rgid, uint32_t *egid, uint32_t *sgid);

/// prctl(option, a2, a3, a4, a5): the variadic call with every argument spelled out.
int cexo_prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5);

/// ioctl(fd, request, pointer) and ioctl(fd, request, integer): the variadic call, typed.
/// `pointer` is borrowed for the duration of the call only.
int cexo_ioctl_pointer(int fd, unsigned long request, void *pointer);
int cexo_ioctl_int(int fd, unsigned long request, int value);

/// Request numbers built by function-like macros (_IOW and friends) in linux/if_tun.h.
unsigned long cexo_tunsetiff(void);
unsigned long cexo_tunsetpersist(void);
unsigned long cexo_tunsetoffload(void);
unsigned long cexo_tunsetvnethdrsz(void);

// MARK: - CMSG_* macros as functions (for ancillary data parsed in Swift, e.g. PACKET_AUXDATA)

/// Pointers returned point into the caller's msghdr control buffer and live as long as it.
static inline struct cmsghdr *cexo_cmsg_firsthdr(struct msghdr *message) { return CMSG_FIRSTHDR(message); }
static inline struct cmsghdr *cexo_cmsg_nxthdr(struct msghdr *message, struct cmsghdr *header) {
    return CMSG_NXTHDR(message, header);
}
static inline unsigned char *cexo_cmsg_data(struct cmsghdr *header) { return CMSG_DATA(header); }
static inline size_t cexo_cmsg_space(size_t length) { return CMSG_SPACE(length); }
static inline size_t cexo_cmsg_len(size_t length) { return CMSG_LEN(length); }
