// sendmmsg / recvmmsg over flat buffers: the mmsghdr and iovec arrays live on this call's
// stack, so Swift never builds GNU-only structs and the caller allocates nothing per batch.
#define _GNU_SOURCE
#include "CExoShims.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

int cexo_send_batch(int fd, const void *bytes, size_t length, int count) {
    if (count < 1 || count > CEXO_BATCH_MAX) {
        errno = EINVAL;
        return -1;
    }
    struct iovec iov[CEXO_BATCH_MAX];
    struct mmsghdr messages[CEXO_BATCH_MAX];
    memset(messages, 0, sizeof(struct mmsghdr) * (size_t)count);
    for (int i = 0; i < count; i++) {
        iov[i].iov_base = (void *)bytes;
        iov[i].iov_len = length;
        messages[i].msg_hdr.msg_iov = &iov[i];
        messages[i].msg_hdr.msg_iovlen = 1;
    }
    return sendmmsg(fd, messages, (unsigned int)count, 0);
}

int cexo_receive_batch(int fd, void *buffers, size_t stride, int count, unsigned int *lengths) {
    if (count < 1 || count > CEXO_BATCH_MAX) {
        errno = EINVAL;
        return -1;
    }
    struct iovec iov[CEXO_BATCH_MAX];
    struct mmsghdr messages[CEXO_BATCH_MAX];
    memset(messages, 0, sizeof(struct mmsghdr) * (size_t)count);
    for (int i = 0; i < count; i++) {
        iov[i].iov_base = (char *)buffers + (size_t)i * stride;
        iov[i].iov_len = stride;
        messages[i].msg_hdr.msg_iov = &iov[i];
        messages[i].msg_hdr.msg_iovlen = 1;
    }
    int received = recvmmsg(fd, messages, (unsigned int)count, MSG_WAITFORONE, NULL);
    if (received > 0 && lengths != NULL) {
        for (int i = 0; i < received; i++) lengths[i] = messages[i].msg_len;
    }
    return received;
}
