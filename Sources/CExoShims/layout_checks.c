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

// The packet backend's mirrored option numbers and the ring structures Swift reads.
_Static_assert(CEXO_SOL_PACKET == SOL_PACKET, "SOL_PACKET");
_Static_assert(CEXO_PACKET_ADD_MEMBERSHIP == PACKET_ADD_MEMBERSHIP, "PACKET_ADD_MEMBERSHIP");
_Static_assert(CEXO_PACKET_RX_RING == PACKET_RX_RING, "PACKET_RX_RING");
_Static_assert(CEXO_PACKET_VERSION == PACKET_VERSION, "PACKET_VERSION");
_Static_assert(CEXO_PACKET_STATISTICS == PACKET_STATISTICS, "PACKET_STATISTICS");
_Static_assert(CEXO_PACKET_VNET_HDR == PACKET_VNET_HDR, "PACKET_VNET_HDR");
_Static_assert(CEXO_PACKET_IGNORE_OUTGOING == PACKET_IGNORE_OUTGOING, "PACKET_IGNORE_OUTGOING");
_Static_assert(CEXO_PACKET_MR_PROMISC == PACKET_MR_PROMISC, "PACKET_MR_PROMISC");
_Static_assert(CEXO_TPACKET_V2 == TPACKET_V2, "TPACKET_V2");
_Static_assert(CEXO_PACKET_COPY_THRESH == PACKET_COPY_THRESH, "PACKET_COPY_THRESH");
_Static_assert(CEXO_ETH_P_ALL == ETH_P_ALL, "ETH_P_ALL");
_Static_assert(CEXO_VIRTIO_NET_HDR_LEN == 10, "virtio_net_hdr");
// The TPACKET_V2 frame header Swift reads; its status word (offset 0, loaded with acquire
// ordering) is 4-byte aligned because frames are 16-byte aligned.
_Static_assert(sizeof(struct tpacket2_hdr) == 32, "tpacket2_hdr");
_Static_assert(offsetof(struct tpacket2_hdr, tp_status) == 0 && offsetof(struct tpacket2_hdr, tp_len) == 4
    && offsetof(struct tpacket2_hdr, tp_snaplen) == 8 && offsetof(struct tpacket2_hdr, tp_mac) == 12
    && offsetof(struct tpacket2_hdr, tp_vlan_tci) == 24, "tpacket2_hdr fields");
_Static_assert(TP_STATUS_COPY == 2, "TP_STATUS_COPY");
