// Virtual-memory calls for the library OS's page management and `exobench vm`: userfaultfd
// in write-protect mode, the PAGEMAP_SCAN ioctl, fault signals routed to one callback, a
// store that may fault, and CPU pinning. Swift cannot import the ioctl request macros,
// the syscall itself, or GNU-only sched_* declarations.
#pragma once

#include <stddef.h>
#include <stdint.h>

// MARK: - userfaultfd

/// Feature bits of UFFDIO_API as this kernel (6.18) knows them. Debian 12's
/// linux/userfaultfd.h predates WP_UNPOPULATED (6.4) and WP_ASYNC (6.7), so these are
/// defined here; the older ones are checked against the header in vm.c.
enum {
    CEXO_UFFD_FEATURE_PAGEFAULT_FLAG_WP = 1 << 0,
    CEXO_UFFD_FEATURE_SIGBUS = 1 << 7,
    CEXO_UFFD_FEATURE_WP_HUGETLBFS_SHMEM = 1 << 12,
    CEXO_UFFD_FEATURE_WP_UNPOPULATED = 1 << 13,
    CEXO_UFFD_FEATURE_WP_ASYNC = 1 << 15,
};

/// userfaultfd(O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY): only faults taken in user
/// mode are reported, which is all a library OS needs and what an unprivileged process may
/// ask for when vm.unprivileged_userfaultfd is 0. The caller owns the result.
int cexo_uffd_open(void);

/// UFFDIO_API with the `wanted` feature bits; `*offered` gets the features the kernel
/// granted. A userfaultfd accepts exactly one UFFDIO_API.
int cexo_uffd_api(int fd, uint64_t wanted, uint64_t *offered);

/// UFFDIO_REGISTER of [start, start+length) in write-protect mode.
int cexo_uffd_register_wp(int fd, void *start, size_t length);

/// UFFDIO_UNREGISTER of [start, start+length).
int cexo_uffd_unregister(int fd, void *start, size_t length);

/// UFFDIO_WRITEPROTECT of [start, start+length): sets the write-protect bit in every page
/// table entry when `protect`, else clears it and wakes threads blocked on the range.
int cexo_uffd_writeprotect(int fd, void *start, size_t length, int protect);

/// Reads one message. Returns 1 with `*address` and `*flags` (UFFD_PAGEFAULT_FLAG_*) for a
/// page fault, 2 for any other event (ignored), 0 when none is queued (EAGAIN), -1 on error.
int cexo_uffd_read_fault(int fd, uint64_t *address, uint64_t *flags);

/// UFFD_PAGEFAULT_FLAG_WP, the bit of a fault message's flags that marks a write-protect fault.
enum { CEXO_UFFD_PAGEFAULT_FLAG_WP = 1 << 1 };

// MARK: - PAGEMAP_SCAN (linux/fs.h since 6.7; Debian 12's header predates it)

/// One run of pages with the same categories, as PAGEMAP_SCAN reports it.
struct cexo_page_region {
    uint64_t start;
    uint64_t end;
    uint64_t categories;
};

/// PAGE_IS_* categories of PAGEMAP_SCAN.
enum {
    CEXO_PAGE_IS_WPALLOWED = 1 << 0,
    CEXO_PAGE_IS_WRITTEN = 1 << 1,
    CEXO_PAGE_IS_PRESENT = 1 << 3,
};

/// PAGEMAP_SCAN on `pagemap_fd` (an open /proc/self/pagemap) for pages in
/// [start, start+length) that are written (PAGE_IS_WRITTEN: not write-protected by
/// userfaultfd). Stores at most `capacity` runs in `runs` and returns how many, or -1.
/// When `rearm`, the written pages found are write-protected again in the same walk
/// (PM_SCAN_WP_MATCHING | PM_SCAN_CHECK_WPASYNC: needs a WP_ASYNC registration).
long cexo_pagemap_scan_written(int pagemap_fd, void *start, size_t length, struct cexo_page_region *runs,
                               size_t capacity, int rearm);

// MARK: - Fault signals

/// Called from the SIGSEGV/SIGBUS handler on the faulting thread with the fault address;
/// returns nonzero when it resolved the fault (the faulting store is then retried), zero
/// when the address is not one it manages (the action the signal had before is then
/// restored and the store faults again, so a real crash still crashes and is reported).
typedef int (*cexo_fault_callback)(void *context, void *address, int signal);

/// Installs a handler (SA_SIGINFO; the signal is blocked while it runs) for `signal`
/// (SIGSEGV or SIGBUS) that calls `callback(context, ...)`. One callback per signal per
/// process; a later call replaces it. `context` must live until the handler is removed.
int cexo_fault_signal_install(int signal, cexo_fault_callback callback, void *context);

/// Restores the action `signal` had before the first install and forgets its callback.
int cexo_fault_signal_remove(int signal);

// MARK: - A store that may fault

/// Stores `value` at `address` through a volatile pointer: the store always happens, here,
/// in C code that holds no lock, so a fault handler may run any code while it is stopped.
void cexo_store_byte(void *address, uint8_t value);

/// Loads the byte at `address` through a volatile pointer.
uint8_t cexo_load_byte(const void *address);

// MARK: - CPUs

/// sched_setaffinity(0, {cpu}): pins the calling thread to `cpu`.
int cexo_pin_current_thread(int cpu);

/// sched_getcpu(): the CPU the calling thread runs on now.
int cexo_current_cpu(void);
