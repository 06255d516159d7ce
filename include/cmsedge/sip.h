/* cmsedge: what a clear-text SIP message says that ties the legs of a traversal call together.
 *
 * A traversal call crosses the Expressway-E and the Expressway-C as one SIP dialog per hop
 * (endpoint and Expressway-E, the traversal zone, Expressway-C and Meeting Server). Where SIP
 * is in clear text its messages say which dialog they belong to (Call-ID), whether they set
 * one up (INVITE and its final response) and where each side wants its media (the SDP's
 * connection address and media ports). That is all this parser takes from a message; the rest
 * is Wireshark's SIP dissector's business.
 *
 * The parser reads bytes as they came off the wire: it never reads past len, takes a message
 * with a body cut short (a TCP segment holding part of it) without its SDP, and ignores what it
 * does not understand rather than guessing.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef CMSEDGE_SIP_H
#define CMSEDGE_SIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cmsedge/address.h"

/* Call-IDs longer than this are kept truncated: they still tell dialogs apart in practice. */
#define CMSEDGE_SIP_CALL_ID_MAX 80
/* m= lines kept per message: audio, video, content sharing and far-end camera control. */
#define CMSEDGE_SDP_MAX_MEDIA 4

enum cmsedge_sip_method {
    CMSEDGE_SIP_OTHER = 0,
    CMSEDGE_SIP_INVITE,
    CMSEDGE_SIP_ACK,
    CMSEDGE_SIP_BYE,
    CMSEDGE_SIP_CANCEL,
};

/* One media description of an SDP body (RFC 8866 section 5.14): where its sender wants that
 * media sent. A port of 0 (a declined stream) is not kept. */
struct cmsedge_sdp_media {
    struct cmsedge_addr addr; /* the media-level c= line, else the session-level one */
    uint16_t port;
    char media[12]; /* "audio", "video", "application"... */
};

struct cmsedge_sip_info {
    bool request;    /* else a response */
    uint8_t method;  /* enum cmsedge_sip_method: the request's, or a response's CSeq */
    uint16_t status; /* a response's status code */
    char call_id[CMSEDGE_SIP_CALL_ID_MAX]; /* "" when the message has none */
    bool has_sdp;                          /* an application/sdp body, whole in the message */
    size_t n_media;
    struct cmsedge_sdp_media media[CMSEDGE_SDP_MAX_MEDIA];
};

/* Parses the SIP message at the start of msg. False when msg does not start with a SIP request
 * or status line, or has no Call-ID. */
bool cmsedge_parse_sip(const uint8_t *msg, size_t len, struct cmsedge_sip_info *info);

const char *cmsedge_sip_method_name(enum cmsedge_sip_method method);

#endif
