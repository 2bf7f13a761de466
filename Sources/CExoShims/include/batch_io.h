// Batched datagram I/O for the benchmarks: sendmmsg and recvmmsg, GNU-only declarations
// (struct mmsghdr) that Swift cannot import, wrapped as plain calls over flat buffers.
#pragma once

#include <stddef.h>
#include <sys/types.h>

/// Most datagrams one `cexo_send_batch` or `cexo_receive_batch` call moves.
enum { CEXO_BATCH_MAX = 256 };

/// sendmmsg(fd, ...) of `count` copies (at most CEXO_BATCH_MAX) of the `length` bytes at
/// `bytes`, each to the socket's connected (or bound, for AF_PACKET) peer, MSG_DONTWAIT off.
/// `bytes` is borrowed for the call. Returns the number sent (sendmmsg's result), or -1 and errno.
int cexo_send_batch(int fd, const void *bytes, size_t length, int count);

/// recvmmsg(fd, ...) of up to `count` (at most CEXO_BATCH_MAX) datagrams into `buffers`:
/// datagram i goes to `buffers + i * stride` (at most `stride` bytes), and its length to
/// `lengths[i]` when `lengths` is not NULL. Waits for the first datagram only (MSG_WAITFORONE),
/// honouring the socket's SO_RCVTIMEO. Both buffers are borrowed for the call.
/// Returns the number received, or -1 and errno.
int cexo_receive_batch(int fd, void *buffers, size_t stride, int count, unsigned int *lengths);
