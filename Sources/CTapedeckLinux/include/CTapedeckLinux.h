#ifndef TAPEDECK_C_LINUX_H
#define TAPEDECK_C_LINUX_H

// The Linux headers Swift's Glibc module leaves out, for AF_PACKET capture and injection, plus the
// macros and memory-ordered accesses of the TPACKET_V3 ring, and the GNU calls, that Swift cannot
// import, as inline functions.

#include <stdint.h>
#include <linux/filter.h>      // struct sock_fprog, struct sock_filter, BPF_RET, BPF_K (SO_ATTACH_FILTER)
#include <linux/if_ether.h>    // ETH_P_ALL, ETH_P_8021Q, ETH_ALEN
#include <linux/if_packet.h>   // sockaddr_ll, packet_mreq, tpacket_req3, tpacket_block_desc, tpacket3_hdr,
                               // tpacket_stats_v3, PACKET_*, TP_STATUS_*, TPACKET_V3
#include <net/if.h>            // if_nametoindex, struct ifreq
#include <net/if_arp.h>        // ARPHRD_*
#include <poll.h>              // poll, struct pollfd
#include <sys/eventfd.h>       // eventfd, EFD_*
#include <sys/ioctl.h>         // ioctl, SIOCGIFMTU
#include <sys/socket.h>        // SOL_PACKET, SO_ATTACH_FILTER, struct msghdr
#include <sys/syscall.h>       // SYS_sendmmsg
#include <string.h>            // strncpy
#include <unistd.h>            // syscall

/// `TPACKET3_HDRLEN`: the smallest frame the kernel accepts in a TPACKET_V3 ring, the
/// `tpacket3_hdr` rounded up with `TPACKET_ALIGN` plus a `sockaddr_ll`.
static inline unsigned int tapedeck_tpacket3_hdrlen(void) {
    return TPACKET3_HDRLEN;
}

/// The block's `block_status`, loaded with acquire ordering: once it has `TP_STATUS_USER`, every
/// packet the kernel wrote into the block before handing it over is visible.
static inline uint32_t tapedeck_tpacket_block_status(const struct tpacket_block_desc *block) {
    return __atomic_load_n(&block->hdr.bh1.block_status, __ATOMIC_ACQUIRE);
}

/// Hands the block back to the kernel: stores `TP_STATUS_KERNEL` in its `block_status` with
/// release ordering, after every read of its packets.
static inline void tapedeck_tpacket_block_release(struct tpacket_block_desc *block) {
    __atomic_store_n(&block->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
}

/// The 802.1Q tag the kernel took out of the packet, as the four bytes that go back on the wire,
/// `TPID << 16 | TCI` in host order; 0 when the packet had no tag.
///
/// A tag is present when `tp_status` has `TP_STATUS_VLAN_VALID` or the TCI is not zero (kernels
/// before 3.0 set no flag); its TPID is `tp_vlan_tpid` when that is valid (`TP_STATUS_VLAN_TPID_VALID`,
/// or not zero), else `ETH_P_8021Q`. These are libpcap's `VLAN_VALID` and `VLAN_TPID` rules.
static inline uint32_t tapedeck_tpacket3_vlan_tag(const struct tpacket3_hdr *header) {
    if (header->hv1.tp_vlan_tci == 0 && !(header->tp_status & TP_STATUS_VLAN_VALID)) {
        return 0;
    }
    uint16_t tpid = (header->hv1.tp_vlan_tpid != 0 || (header->tp_status & TP_STATUS_VLAN_TPID_VALID))
        ? header->hv1.tp_vlan_tpid : ETH_P_8021Q;
    return (uint32_t)tpid << 16 | (uint16_t)header->hv1.tp_vlan_tci;
}

// MARK: Batched sends

/// `struct mmsghdr`, which glibc declares only for `_GNU_SOURCE` and Swift's Glibc module leaves
/// out: a message and, after `sendmmsg`, the bytes sent of it.
struct tapedeck_mmsghdr {
    struct msghdr msg_hdr;
    unsigned int msg_len;
};

/// `sendmmsg(2)` through `syscall(2)`, for the same reason: sends up to `count` messages and
/// returns how many were sent, or -1 with `errno` set when the first could not be.
static inline int tapedeck_sendmmsg(int descriptor, struct tapedeck_mmsghdr *messages, unsigned int count, int flags) {
    return (int)syscall(SYS_sendmmsg, descriptor, messages, count, flags);
}

// MARK: Interfaces

/// `ioctl(descriptor, SIOCGIFMTU)` for the interface `name`: stores its MTU in `mtu` and returns
/// 0, or returns -1 with `errno` set (`ENODEV`: no such interface). `struct ifreq` is a union
/// Swift reaches only clumsily, hence this helper.
static inline int tapedeck_interface_mtu(int descriptor, const char *name, int *mtu) {
    struct ifreq request;
    memset(&request, 0, sizeof request);
    strncpy(request.ifr_name, name, IFNAMSIZ - 1);
    int result = ioctl(descriptor, SIOCGIFMTU, &request);
    if (result == 0) {
        *mtu = request.ifr_mtu;
    }
    return result;
}

#endif
