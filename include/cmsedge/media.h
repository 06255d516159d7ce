/* cmsedge: telling media from look-alikes over the packets of one direction of a flow.
 *
 * A first byte in 128-191 is all RTP and RTCP have in common with a great deal of other UDP
 * (QUIC, game and VPN protocols, random bytes): taken alone it would turn such traffic into
 * "RTP". The follower accepts, as Wireshark's own STUN and TURN-channel dissectors do, only what
 * the protocol itself vouches for:
 *   - STUN: an RFC 5389 message with the magic cookie and a length that fits;
 *   - DTLS: a record with a DTLS version and a length that fits;
 *   - RTCP: a compound packet that starts with a sender or receiver report whose length agrees
 *     with its report count, every further packet walking to where the next begins;
 *   - RTP: version 2 with a header that fits, and only once the previous packet of the same
 *     direction had the same SSRC and a sequence number 1-64 behind; a 4-byte multiplex id in
 *     front (H.460.19 style) only when the previous packet carried the same id.
 * The first RTP packet of a stream is therefore never taken. TURN ChannelData is left to the
 * STUN dissector, which knows the channels a ChannelBind made.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef CMSEDGE_MEDIA_H
#define CMSEDGE_MEDIA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cmsedge/payload.h"

/* Bytes of a datagram the follower looks at (an RTCP compound is walked this far). */
#define CMSEDGE_MEDIA_HEAD 128

/* Kinds a caller wants recognised, as a bit set of (1u << enum cmsedge_media_kind). */
#define CMSEDGE_MEDIA_BIT(k) (1u << (k))

/* What one direction of a flow has shown so far. Zeroed: nothing yet. */
struct cmsedge_media_track {
    uint32_t ssrc;
    uint32_t mux_id;
    uint16_t seq;
    uint8_t state; /* 0 nothing, 1 a candidate packet, 2 a stream */
    bool muxed;    /* the candidate or stream carries a multiplex id */
};

/* Decides what one datagram of the direction is, among the kinds in `allow`, and updates the
 * track. head holds the datagram's first head_len bytes, total_len is its full length. */
bool cmsedge_media_follow(struct cmsedge_media_track *t, const uint8_t *head, size_t head_len,
                          size_t total_len, unsigned allow, struct cmsedge_media *m);

#endif
