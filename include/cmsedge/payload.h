/* cmsedge: recognising payloads from their first bytes, without Wireshark.
 *
 * The plugin hands these functions a copy of a datagram's or segment's first bytes (at most
 * CMSEDGE_PAYLOAD_HEAD) and its full length; they never read past what they are given.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef CMSEDGE_PAYLOAD_H
#define CMSEDGE_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cmsedge/address.h"

#define CMSEDGE_PAYLOAD_HEAD 32

enum cmsedge_media_kind {
    CMSEDGE_MEDIA_NONE = 0,
    CMSEDGE_MEDIA_STUN,         /* RFC 5389 message (magic cookie) */
    CMSEDGE_MEDIA_DTLS,         /* RFC 6347 record */
    CMSEDGE_MEDIA_CHANNEL_DATA, /* RFC 8656 ChannelData */
    CMSEDGE_MEDIA_RTP,
    CMSEDGE_MEDIA_RTCP,
};

struct cmsedge_media {
    enum cmsedge_media_kind kind;
    unsigned offset; /* where the recognised message starts: 0, or 4 after a multiplex id */
    uint32_t mux_id; /* valid when offset == 4 */
};

const char *cmsedge_media_kind_name(enum cmsedge_media_kind kind);

/* Checks for the start of a TCP stream or PDU. */
bool cmsedge_looks_like_tls(const uint8_t *head, size_t head_len);
bool cmsedge_looks_like_sip(const uint8_t *head, size_t head_len);
bool cmsedge_looks_like_ssh(const uint8_t *head, size_t head_len);

/* What a STUN/TURN message says that the per-flow checks and the calls need: its type, the
 * ERROR-CODE (class * 100 + number), the XOR-RELAYED-ADDRESS, the LIFETIME, the first
 * XOR-PEER-ADDRESS and the CHANNEL-NUMBER, decoded (RFC 8656). msg starts at the STUN header;
 * len is what is available. Attributes that run past len are ignored. */
struct cmsedge_stun_info {
    uint16_t type;
    uint16_t error; /* 0 if none */
    bool has_relayed;
    uint16_t relayed_port;
    struct cmsedge_addr relayed_addr; /* family 0 when the attribute's address was unreadable */
    bool has_lifetime;
    uint32_t lifetime; /* seconds */
    bool has_peer;
    uint16_t peer_port;
    struct cmsedge_addr peer_addr;
    uint16_t channel; /* 0 if none */
};
bool cmsedge_parse_stun(const uint8_t *msg, size_t len, struct cmsedge_stun_info *info);

#endif
