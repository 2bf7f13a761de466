// Virtual-memory calls (see vm.h): userfaultfd ioctls, PAGEMAP_SCAN, fault signals routed to
// one callback, a volatile store, CPU pinning.
#define _GNU_SOURCE
#include "CExoShims.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/userfaultfd.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

// The features the old header does know must agree with the mirrored values.
_Static_assert(CEXO_UFFD_FEATURE_PAGEFAULT_FLAG_WP == UFFD_FEATURE_PAGEFAULT_FLAG_WP, "PAGEFAULT_FLAG_WP");
_Static_assert(CEXO_UFFD_FEATURE_SIGBUS == UFFD_FEATURE_SIGBUS, "SIGBUS");
_Static_assert(CEXO_UFFD_FEATURE_WP_HUGETLBFS_SHMEM == UFFD_FEATURE_WP_HUGETLBFS_SHMEM, "WP_HUGETLBFS_SHMEM");
_Static_assert(CEXO_UFFD_PAGEFAULT_FLAG_WP == UFFD_PAGEFAULT_FLAG_WP, "UFFD_PAGEFAULT_FLAG_WP");

// UFFD_USER_MODE_ONLY (5.11) is missing from Debian 12's header: the value from the kernel's.
#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif

// PAGEMAP_SCAN (6.7) is missing from Debian 12's linux/fs.h: struct pm_scan_arg and the
// request number as the kernel's include/uapi/linux/fs.h defines them.
#ifndef PAGEMAP_SCAN
struct pm_scan_arg {
    uint64_t size;
    uint64_t flags;
    uint64_t start;
    uint64_t end;
    uint64_t walk_end;
    uint64_t vec;
    uint64_t vec_len;
    uint64_t max_pages;
    uint64_t category_inverted;
    uint64_t category_mask;
    uint64_t category_anyof_mask;
    uint64_t return_mask;
};
#define PAGEMAP_SCAN _IOWR('f', 16, struct pm_scan_arg)
#define PM_SCAN_WP_MATCHING (1 << 0)
#define PM_SCAN_CHECK_WPASYNC (1 << 1)
#endif
_Static_assert(sizeof(struct cexo_page_region) == 24, "struct page_region");

int cexo_uffd_open(void) { return (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY); }

int cexo_uffd_api(int fd, uint64_t wanted, uint64_t *offered) {
    struct uffdio_api api = {.api = UFFD_API, .features = wanted};
    if (ioctl(fd, UFFDIO_API, &api) != 0) return -1;
    *offered = api.features;
    return 0;
}

int cexo_uffd_register_wp(int fd, void *start, size_t length) {
    struct uffdio_register reg = {.range = {.start = (uintptr_t)start, .len = length}, .mode = UFFDIO_REGISTER_MODE_WP};
    return ioctl(fd, UFFDIO_REGISTER, &reg);
}

int cexo_uffd_unregister(int fd, void *start, size_t length) {
    struct uffdio_range range = {.start = (uintptr_t)start, .len = length};
    return ioctl(fd, UFFDIO_UNREGISTER, &range);
}

int cexo_uffd_writeprotect(int fd, void *start, size_t length, int protect) {
    struct uffdio_writeprotect wp = {
        .range = {.start = (uintptr_t)start, .len = length},
        .mode = protect ? UFFDIO_WRITEPROTECT_MODE_WP : 0,
    };
    return ioctl(fd, UFFDIO_WRITEPROTECT, &wp);
}

int cexo_uffd_read_fault(int fd, uint64_t *address, uint64_t *flags) {
    struct uffd_msg message;
    ssize_t n = read(fd, &message, sizeof message);
    if (n < 0) return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
    if (n != (ssize_t)sizeof message) {
        errno = EIO;
        return -1;
    }
    if (message.event != UFFD_EVENT_PAGEFAULT) return 2;
    *address = message.arg.pagefault.address;
    *flags = message.arg.pagefault.flags;
    return 1;
}

long cexo_pagemap_scan_written(int pagemap_fd, void *start, size_t length, struct cexo_page_region *runs,
                               size_t capacity, int rearm) {
    struct pm_scan_arg arg = {
        .size = sizeof arg,
        .flags = rearm ? (PM_SCAN_WP_MATCHING | PM_SCAN_CHECK_WPASYNC) : 0,
        .start = (uintptr_t)start,
        .end = (uintptr_t)start + length,
        .vec = (uintptr_t)runs,
        .vec_len = capacity,
        .category_mask = CEXO_PAGE_IS_WRITTEN,
        .return_mask = CEXO_PAGE_IS_WRITTEN,
    };
    return ioctl(pagemap_fd, PAGEMAP_SCAN, &arg);
}

// One route per signal. Written before the handler is installed and read in the handler;
// atomics so the handler never sees a half-written route.
static _Atomic(cexo_fault_callback) fault_callbacks[2];
static void *_Atomic fault_contexts[2];
// The action each signal had before install (e.g. the Swift runtime's crash reporter), put
// back on remove and for faults that are not ours.
static struct sigaction previous_actions[2];

static int route_index(int signo) { return signo == SIGBUS ? 1 : (signo == SIGSEGV ? 0 : -1); }

static void fault_handler(int signo, siginfo_t *info, void *ucontext) {
    (void)ucontext;
    int index = route_index(signo);
    cexo_fault_callback callback = index >= 0 ? atomic_load(&fault_callbacks[index]) : NULL;
    if (callback != NULL && callback(atomic_load(&fault_contexts[index]), info->si_addr, signo)) return;
    // Not ours: the previous action, so returning re-executes the access and it crashes as usual.
    if (index >= 0) sigaction(signo, &previous_actions[index], NULL);
    else signal(signo, SIG_DFL);
}

int cexo_fault_signal_install(int signo, cexo_fault_callback callback, void *context) {
    int index = route_index(signo);
    if (index < 0 || callback == NULL) {
        errno = EINVAL;
        return -1;
    }
    atomic_store(&fault_contexts[index], context);
    atomic_store(&fault_callbacks[index], callback);
    struct sigaction action = {0};
    action.sa_sigaction = fault_handler;
    action.sa_flags = SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    struct sigaction previous;
    if (sigaction(signo, &action, &previous) != 0) return -1;
    // Keep the first previous action only: a second install must not save our own handler.
    if (previous.sa_sigaction != fault_handler) previous_actions[index] = previous;
    return 0;
}

int cexo_fault_signal_remove(int signo) {
    int index = route_index(signo);
    if (index < 0) {
        errno = EINVAL;
        return -1;
    }
    int result = sigaction(signo, &previous_actions[index], NULL);
    atomic_store(&fault_callbacks[index], NULL);
    atomic_store(&fault_contexts[index], NULL);
    return result;
}

void cexo_store_byte(void *address, uint8_t value) { *(volatile uint8_t *)address = value; }

uint8_t cexo_load_byte(const void *address) { return *(const volatile uint8_t *)address; }

int cexo_pin_current_thread(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof set, &set);
}

int cexo_current_cpu(void) { return sched_getcpu(); }
