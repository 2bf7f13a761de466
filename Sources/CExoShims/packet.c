// sendmmsg for the packet backend's transmit batches: struct mmsghdr and sendmmsg are
// GNU-only, so the message array is built here, on the stack (no allocation per batch).
#define _GNU_SOURCE
#include "CExoShims.h"

#include <errno.h>
#include <sys/socket.h>
#include <sys/uio.h>

int cexo_packet_send_batch(int fd, const void *prefix, size_t prefix_length, void *const *frames,
                           const uint32_t *lengths, unsigned count) {
    if (count > CEXO_PACKET_MAX_BATCH) {
        errno = EINVAL;
        return -1;
    }
    if (count == 0) return 0;
    struct mmsghdr messages[CEXO_PACKET_MAX_BATCH];
    struct iovec vectors[2 * CEXO_PACKET_MAX_BATCH];
    for (unsigned i = 0; i < count; i++) {
        vectors[2 * i].iov_base = (void *)prefix;
        vectors[2 * i].iov_len = prefix_length;
        vectors[2 * i + 1].iov_base = frames[i];
        vectors[2 * i + 1].iov_len = lengths[i];
        messages[i].msg_hdr = (struct msghdr){
            .msg_name = NULL, .msg_namelen = 0, .msg_iov = &vectors[2 * i], .msg_iovlen = 2,
            .msg_control = NULL, .msg_controllen = 0, .msg_flags = 0};
        messages[i].msg_len = 0;
    }
    int sent;
    do {
        sent = sendmmsg(fd, messages, count, MSG_DONTWAIT);
    } while (sent < 0 && errno == EINTR);
    return sent;
}
