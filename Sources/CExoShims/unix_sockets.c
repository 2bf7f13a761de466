// Unix-socket calls Swift cannot import: accept4, SCM_RIGHTS records built and parsed with
// the CMSG_* macros, and the SO_PEERCRED / SO_PEERGROUPS queries that need struct ucred.
#define _GNU_SOURCE
#include "CExoShims.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

/// Room for a full SCM_RIGHTS message plus SCM_CREDENTIALS, should SO_PASSCRED be on.
#define CEXO_CONTROL_BYTES (CMSG_SPACE(sizeof(int) * CEXO_SCM_MAX_FD) + CMSG_SPACE(sizeof(struct ucred)))

/// A control buffer aligned for struct cmsghdr.
union cexo_control {
    char bytes[CEXO_CONTROL_BYTES];
    struct cmsghdr align;
};

int cexo_accept_nonblocking(int listener) {
    return accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

ssize_t cexo_send_record(int fd, const void *bytes, size_t length, const int *fds, int fd_count) {
    if (fd_count < 0 || fd_count > CEXO_SCM_MAX_FD) {
        errno = EINVAL;
        return -1;
    }
    union cexo_control control;
    memset(&control, 0, sizeof control);
    struct iovec iov = {.iov_base = (void *)bytes, .iov_len = length};
    struct msghdr message = {.msg_iov = &iov, .msg_iovlen = 1};
    if (fd_count > 0) {
        message.msg_control = control.bytes;
        message.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)fd_count);
        struct cmsghdr *header = CMSG_FIRSTHDR(&message);
        header->cmsg_level = SOL_SOCKET;
        header->cmsg_type = SCM_RIGHTS;
        header->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)fd_count);
        memcpy(CMSG_DATA(header), fds, sizeof(int) * (size_t)fd_count);
    }
    return sendmsg(fd, &message, MSG_NOSIGNAL);
}

ssize_t cexo_receive_record(int fd, void *buffer, size_t length, int *fds, int *fd_count, int *msg_flags) {
    union cexo_control control;
    struct iovec iov = {.iov_base = buffer, .iov_len = length};
    struct msghdr message = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.bytes, .msg_controllen = sizeof control.bytes};
    *fd_count = 0;
    *msg_flags = 0;
    ssize_t received = recvmsg(fd, &message, MSG_CMSG_CLOEXEC);
    if (received < 0) return received;
    *msg_flags = message.msg_flags;
    // Collect every descriptor the kernel installed, so that none leaks.
    for (struct cmsghdr *header = CMSG_FIRSTHDR(&message); header != NULL; header = CMSG_NXTHDR(&message, header)) {
        if (header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_RIGHTS) continue;
        size_t count = (header->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t index = 0; index < count && *fd_count < CEXO_SCM_MAX_FD; index++) {
            int received_fd;
            memcpy(&received_fd, CMSG_DATA(header) + index * sizeof(int), sizeof(int));
            fds[(*fd_count)++] = received_fd;
        }
    }
    return received;
}

int cexo_peer_credentials(int fd, int32_t *pid, uint32_t *uid, uint32_t *gid) {
    struct ucred credentials;
    socklen_t size = sizeof credentials;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &size) != 0) return -1;
    *pid = credentials.pid;
    *uid = credentials.uid;
    *gid = credentials.gid;
    return 0;
}

int cexo_peer_groups(int fd, uint32_t *groups, uint32_t *count) {
    socklen_t size = (socklen_t)(*count * sizeof(gid_t));
    int result = getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &size);
    *count = (uint32_t)(size / sizeof(gid_t));
    return result;
}

int cexo_msg_trunc(void) { return MSG_TRUNC; }
int cexo_msg_ctrunc(void) { return MSG_CTRUNC; }
