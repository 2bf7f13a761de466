// TAP device creation through the TUN driver: struct ifreq and the TUNSETIFF / TUNGETIFF
// ioctls, which Swift cannot build or call (a union-laden struct and a variadic call).
#pragma once

/// The kernel's interface-name buffer size (IFNAMSIZ), including the terminating NUL.
enum { CEXO_IFNAMSIZ = 16 };

/// TUN/TAP flags as `cexo_tap_flags` reports them (checked in layout_checks.c).
enum {
    CEXO_IFF_TAP = 0x0002,
    CEXO_IFF_NO_PI = 0x1000,
    CEXO_IFF_TUN_EXCL = 0x8000,
    CEXO_IFF_PERSIST = 0x0800,
};

/// Attaches `fd`, an open /dev/net/tun, to a NEW TAP device: TUNSETIFF with
/// IFF_TAP | IFF_NO_PI | IFF_TUN_EXCL (fails with EBUSY instead of attaching to an existing
/// device of that name). `name` is borrowed for the call: "" lets the kernel choose, a
/// pattern such as "exo%d" is completed by it; at most CEXO_IFNAMSIZ - 1 bytes, else
/// ENAMETOOLONG. On success the device's name is written NUL-terminated into `chosen`
/// (CEXO_IFNAMSIZ bytes). Returns 0, or -1 with errno set.
int cexo_tap_attach(int fd, const char *name, char *chosen);

/// TUNGETIFF: the CEXO_IFF_* flags of the device `fd` is attached to, in `*flags`.
/// Returns 0, or -1 with errno set.
int cexo_tap_flags(int fd, int *flags);
