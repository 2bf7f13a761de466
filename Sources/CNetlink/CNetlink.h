// libnl-3 and libnl-route-3 as one Swift module: links, addresses and the inet6 per-link
// settings (address-generation mode). Objects arrive in Swift as OpaquePointer.
#pragma once

#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <netlink/msg.h>
#include <netlink/errno.h>
#include <netlink/route/link.h>
#include <netlink/route/addr.h>
#include <netlink/route/link/inet6.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
