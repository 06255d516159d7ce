/* cmsedge: what the stock dissectors found in a frame beyond its addresses and ports.
 *
 * The inputs of role inference and of the per-flow checks: TCP flags, ICMP errors, STUN/TURN
 * message types. The Wireshark glue reads them from the frame's bytes at the headers the stock
 * dissectors found (plugin/cmsedge-facts.c); tests fill them by hand.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef CMSEDGE_FACTS_H
#define CMSEDGE_FACTS_H

#include <stdbool.h>
#include <stdint.h>

#include "cmsedge/address.h"

/* TCP header flag bits (RFC 9293). */
#define CMSEDGE_TCP_FIN 0x01u
#define CMSEDGE_TCP_SYN 0x02u
#define CMSEDGE_TCP_RST 0x04u
#define CMSEDGE_TCP_ACK 0x10u

/* An ICMP or ICMPv6 error about a packet the frame quotes. */
enum cmsedge_icmp {
    CMSEDGE_ICMP_NONE = 0,
    CMSEDGE_ICMP_PORT_UNREACHABLE,
    CMSEDGE_ICMP_HOST_UNREACHABLE, /* host or network unreachable */
    CMSEDGE_ICMP_ADMIN_PROHIBITED, /* communication administratively prohibited */
};

/* STUN message types (RFC 5389 method and class bits, RFC 5766 Allocate). */
#define CMSEDGE_STUN_ALLOCATE_REQUEST 0x0003u
#define CMSEDGE_STUN_ALLOCATE_SUCCESS 0x0103u
#define CMSEDGE_STUN_ALLOCATE_ERROR   0x0113u
/* RFC 8656 section 17: the TURN methods a join's allocation goes through. */
#define CMSEDGE_STUN_REFRESH_REQUEST     0x0004u
#define CMSEDGE_STUN_PERMISSION_REQUEST  0x0008u
#define CMSEDGE_STUN_PERMISSION_SUCCESS  0x0108u
#define CMSEDGE_STUN_CHANNELBIND_REQUEST 0x0009u
#define CMSEDGE_STUN_CHANNELBIND_SUCCESS 0x0109u
#define CMSEDGE_STUN_SEND_INDICATION     0x0016u
#define CMSEDGE_STUN_DATA_INDICATION     0x0017u

struct cmsedge_facts {
    uint32_t frame;    /* frame number, from 1 */
    double time;       /* seconds since the first frame */
    uint32_t length;   /* frame length in bytes */
    uint8_t tcp_flags; /* CMSEDGE_TCP_* of a TCP frame */
    uint32_t tcp_seq;  /* its sequence number (a repeated SYN repeats it) */
    uint8_t icmp;      /* enum cmsedge_icmp; the flow is then the quoted packet's */
    struct cmsedge_addr quoted_src, quoted_dst; /* with icmp: the quoted packet's addresses */
    uint16_t stun_type;                         /* STUN message type, 0 for none */
    uint16_t stun_error;                        /* STUN ERROR-CODE (e.g. 401), 0 for none */
    bool has_relayed;                           /* an XOR-RELAYED-ADDRESS attribute is present */
    uint16_t relayed_port;                      /* its port */
    struct cmsedge_addr relayed_addr;           /* its address (family 0 when unreadable) */
    bool has_lifetime;                          /* a LIFETIME attribute is present */
    uint32_t lifetime;                          /* its seconds */
    bool has_peer;                              /* an XOR-PEER-ADDRESS attribute (the first) */
    uint16_t peer_port;
    struct cmsedge_addr peer_addr;
    uint16_t channel; /* CHANNEL-NUMBER of a ChannelBind, 0 for none */
};

#endif
