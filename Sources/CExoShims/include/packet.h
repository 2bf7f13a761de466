// AF_PACKET helpers Swift cannot express: the SOL_PACKET option numbers, acquire/release
// access to the ring's frame-status words, and a sendmmsg batch (struct mmsghdr is GNU-only).
#pragma once

#include <stddef.h>
#include <stdint.h>

/// SOL_PACKET and the PACKET_* options and values the packet backend sets (checked in
/// layout_checks.c against linux/if_packet.h and bits/socket.h).
enum {
    CEXO_SOL_PACKET = 263,
    CEXO_PACKET_ADD_MEMBERSHIP = 1,
    CEXO_PACKET_RX_RING = 5,
    CEXO_PACKET_STATISTICS = 6,
    CEXO_PACKET_COPY_THRESH = 7,
    CEXO_PACKET_VERSION = 10,
    CEXO_PACKET_VNET_HDR = 15,
    CEXO_PACKET_IGNORE_OUTGOING = 23,
    CEXO_PACKET_MR_PROMISC = 1,
    CEXO_TPACKET_V2 = 1,
    CEXO_ETH_P_ALL = 0x0003,
};

/// The largest batch `cexo_packet_send_batch` takes (its message array lives on the C stack).
enum { CEXO_PACKET_MAX_BATCH = 64 };

/// Bytes of struct virtio_net_hdr, which precedes every frame once PACKET_VNET_HDR is on.
enum { CEXO_VIRTIO_NET_HDR_LEN = 10 };

/// One 32-bit load with acquire ordering from memory another agent (the kernel) writes.
/// `word` must be 4-byte aligned and mapped.
static inline uint32_t cexo_load_acquire_u32(const uint32_t *word) { return __atomic_load_n(word, __ATOMIC_ACQUIRE); }

/// One 32-bit store with release ordering: everything this thread did before is visible to
/// the agent that next loads `word` (the kernel, when a frame slot is handed back).
static inline void cexo_store_release_u32(uint32_t *word, uint32_t value) {
    __atomic_store_n(word, value, __ATOMIC_RELEASE);
}

/// Sends `count` (<= CEXO_PACKET_MAX_BATCH) frames with one sendmmsg(MSG_DONTWAIT), each as
/// two iovecs: the `prefix_length` bytes at `prefix` (the zero virtio-net header), then
/// `lengths[i]` bytes at `frames[i]`. The socket's bound interface is the destination. All
/// pointers are borrowed for the call. Returns sendmmsg's result: how many leading frames
/// were sent (when fewer than `count`, the frame at that index failed and its errno is
/// lost; send again from there to learn it), or -1 with errno set when the first failed.
int cexo_packet_send_batch(int fd, const void *prefix, size_t prefix_length, void *const *frames,
                           const uint32_t *lengths, unsigned count);
