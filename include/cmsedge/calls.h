/* cmsedge: joins and calls as units, from the TURN allocations at an Expressway-E.
 *
 * A web-app join at the edge is a set of TURN allocations and the media legs through their
 * relays: the browser allocates on the Expressway-E's public TURN port, the Meeting Server on
 * the private side, and media flows between the two relayed addresses (and from each client
 * to its TURN server, as ChannelData or Send/Data indications). This module follows them over
 * the first pass, fed with each frame and its annotation:
 *   - an allocation is a client's Allocate to a TURN port of a host that is an Expressway-E
 *     (configured or inferred; a TURN server nobody knows makes no call): client, server,
 *     relayed address, lifetime, permissions (XOR-PEER-ADDRESS of CreatePermission and
 *     ChannelBind requests) and channels;
 *   - each allocation starts a call; a permission or channel for another allocation's relayed
 *     address and port (the relays of one Expressway-E share its address), or media between
 *     two relayed addresses, joins the two calls from that frame on
 *     (the smaller id stays; frames before keep the id they had: one pass decides);
 *   - a leg is one flow of a call: the client and its TURN server, a relayed address and a
 *     peer, or two relayed addresses; packets and bytes are counted per direction.
 * The report names, per call, the first part missing from a web-app join (the web app's
 * allocation on the public side, the Meeting Server's on the private side, media between the
 * relays) or else the first leg that carries packets one way only.
 *
 * A traversal call (src/calls_traversal.c) is the other kind: a SIP call through the
 * Expressway-E and Expressway-C, one hop at a time (the endpoint and the Expressway-E, the
 * traversal zone, the Expressway-C and the Meeting Server). What ties its parts is stated with
 * each: a dialog per hop from clear-text SIP (an INVITE starts one), tied to the dialogs of the
 * other hops by their common Call-ID, or else by an INVITE on another hop within
 * CMSEDGE_CALLS_TIE_WINDOW seconds when only one call could be meant; a media leg tied to the
 * dialog whose SDP named one of its ends (or, for RTCP, the port below one); media on the
 * reference's traversal media rows with no SDP in sight (SIP over TLS) tied by timing: a leg on
 * another hop of a signalling-less call that started within the window, when only one call
 * could be meant, or the leg one port apart on both ends (RTP and its RTCP).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef CMSEDGE_CALLS_H
#define CMSEDGE_CALLS_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cmsedge/capture.h"

#define CMSEDGE_CALLS_MAX_PEERS    8
#define CMSEDGE_CALLS_MAX_CHANNELS 8
#define CMSEDGE_DIALOG_MAX_MEDIA   8
/* Seconds between the first frames of two hops' INVITEs or media for timing to tie them. */
#define CMSEDGE_CALLS_TIE_WINDOW 1.0
/* Packets a traversal call's media leg carries one way, nothing back, before it is named
 * one-way: fewer are a stream's first moments or the capture's last. */
#define CMSEDGE_CALLS_ONE_WAY_MIN 10

enum cmsedge_leg_kind {
    CMSEDGE_LEG_NONE = 0,
    CMSEDGE_LEG_TURN,        /* a client and its TURN server: control and tunnelled media */
    CMSEDGE_LEG_RELAY,       /* a relayed address and a peer */
    CMSEDGE_LEG_RELAY_RELAY, /* two relayed addresses */
    CMSEDGE_LEG_SIP,         /* a traversal call's SIP dialog on one hop (one flow) */
    CMSEDGE_LEG_MEDIA,       /* a traversal call's media on one hop */
};

/* The hops of a traversal call, outside in. */
enum cmsedge_hop {
    CMSEDGE_HOP_NONE = 0,
    CMSEDGE_HOP_ENDPOINT,       /* an endpoint and the Expressway-E (public side) */
    CMSEDGE_HOP_ZONE,           /* the traversal zone: Expressway-C and Expressway-E private */
    CMSEDGE_HOP_MEETING_SERVER, /* the Expressway-C and the Meeting Server */
};

/* What tied a dialog or leg of a traversal call to its call. */
enum cmsedge_tie {
    CMSEDGE_TIE_NONE = 0,  /* it started the call (a SIP leg: its dialog's) */
    CMSEDGE_TIE_CALL_ID,   /* a dialog with the Call-ID of another hop's dialog */
    CMSEDGE_TIE_SDP,       /* media to or from an address and port a dialog's SDP named */
    CMSEDGE_TIE_SDP_RTCP,  /* media one port above what the SDP named (RTCP, RFC 3550 11) */
    CMSEDGE_TIE_TIMING,    /* the only call with another hop starting within the window */
    CMSEDGE_TIE_PORT_PAIR, /* RTP and RTCP: both ends one port apart from a leg's */
};

struct cmsedge_endpoint {
    struct cmsedge_addr addr;
    uint16_t port;
};

struct cmsedge_channel {
    uint16_t number;
    struct cmsedge_endpoint peer;
};

struct cmsedge_allocation {
    unsigned id;   /* from 1, in the order of their first frame */
    unsigned call; /* the call it started */
    unsigned transport;
    struct cmsedge_endpoint client, server;
    enum cmsedge_role client_role, server_role;
    uint32_t first_frame;
    bool allocated;                  /* an Allocate success response was seen */
    uint16_t error;                  /* the last Allocate error code, 0 for none */
    struct cmsedge_endpoint relayed; /* with allocated */
    bool has_lifetime;
    uint32_t lifetime;       /* seconds, from the success or a Refresh (the last one not 0) */
    unsigned refreshes;      /* Refresh success responses that kept it */
    uint32_t released_frame; /* a Refresh success with LIFETIME 0 (RFC 8656 7.2), 0 for none */
    size_t n_peers;          /* XOR-PEER-ADDRESS of permissions and channels, as given (a permission
                                is for the address, RFC 8656 section 9; the port names the peer) */
    struct cmsedge_endpoint peers[CMSEDGE_CALLS_MAX_PEERS];
    size_t n_channels;
    struct cmsedge_channel channels[CMSEDGE_CALLS_MAX_CHANNELS];
};

struct cmsedge_leg {
    unsigned id;   /* from 1, in the order of their first frame */
    unsigned call; /* the call it belonged to at its first frame */
    enum cmsedge_leg_kind kind;
    unsigned allocation;           /* the allocation whose client or relay it is (web-app joins) */
    struct cmsedge_endpoint a, b;  /* a: its first frame's source */
    uint64_t packets[2], bytes[2]; /* [0] a to b, [1] b to a */
    uint32_t first_frame, last_frame;
    /* traversal calls' legs */
    enum cmsedge_hop hop;
    unsigned dialog;          /* a SIP leg's dialog */
    enum cmsedge_tie tied_by; /* a media leg's tie to its call */
    unsigned tie;             /* the dialog (SDP ties) or the leg (timing, port pair) */
    uint32_t tie_frame;       /* SDP ties: the frame whose SDP named the end */
    double first_time;        /* seconds since the first frame */
    const char *rule;         /* the reference row its first frame matched, or NULL */
    bool rtcp;                /* RTCP by its ports: one above an SDP end, or the upper of an
                                 RTP/RTCP pair (its one-way-ness is not judged) */
};

/* A traversal call's SIP dialog on one hop. */
struct cmsedge_dialog {
    unsigned id;   /* from 1, in the order of their INVITEs */
    unsigned call; /* the call it is part of */
    enum cmsedge_hop hop;
    struct cmsedge_endpoint a, b; /* the INVITE's source and destination */
    char call_id[CMSEDGE_SIP_CALL_ID_MAX];
    enum cmsedge_tie tied_by; /* CMSEDGE_TIE_NONE, _CALL_ID or _TIMING */
    unsigned tie;             /* the dialog it was tied to */
    uint32_t invite_frame;
    double invite_time;
    uint16_t status;       /* the last final response to an INVITE, 0 for none yet */
    uint32_t status_frame; /* its frame */
    uint32_t bye_frame;    /* the first BYE, 0 for none */
    size_t n_media;
    struct {
        struct cmsedge_endpoint at;
        uint32_t frame; /* the message whose SDP named it */
        bool from_a;    /* sent by the dialog's a */
    } media[CMSEDGE_DIALOG_MAX_MEDIA];
};

struct cmsedge_call {
    unsigned id;
    unsigned joined;       /* the call it joined, 0 while it is its own */
    uint32_t joined_frame; /* the frame that joined it */
    uint32_t first_frame;
    bool traversal; /* a traversal call; else a web-app join's (TURN allocations) */
    bool ended;     /* a traversal call one of whose dialogs saw a BYE */
    uint8_t dialog_hops, media_hops; /* a traversal call's hops with a dialog, with media:
                                        bit (1 << enum cmsedge_hop) */
};

/* What a frame is part of: call 0 for none. */
struct cmsedge_call_ref {
    unsigned call;
    unsigned leg;
    enum cmsedge_leg_kind kind;
    enum cmsedge_hop hop; /* a traversal call's leg: its hop */
};

struct cmsedge_calls;

struct cmsedge_calls *cmsedge_calls_new(void);
void cmsedge_calls_free(struct cmsedge_calls *c);
void cmsedge_calls_reset(struct cmsedge_calls *c);

/* One frame of the first pass, in frame order, with its annotation (the roles of its hosts).
 * Fills *ref and returns whether the frame is part of a call. */
bool cmsedge_calls_feed(struct cmsedge_calls *c, const struct cmsedge_frame *fr,
                        const struct cmsedge_annotation *a, struct cmsedge_call_ref *ref);

/* The calls so far, by id (from 1); a call that joined another has joined != 0. */
size_t cmsedge_calls_count(const struct cmsedge_calls *c);
const struct cmsedge_call *cmsedge_calls_get(const struct cmsedge_calls *c, unsigned id);
/* The call a call ended up in. */
unsigned cmsedge_calls_final(const struct cmsedge_calls *c, unsigned id);
size_t cmsedge_calls_allocations(const struct cmsedge_calls *c,
                                 const struct cmsedge_allocation **list);
size_t cmsedge_calls_legs(const struct cmsedge_calls *c, const struct cmsedge_leg **list);
size_t cmsedge_calls_dialogs(const struct cmsedge_calls *c, const struct cmsedge_dialog **list);

const char *cmsedge_leg_kind_name(enum cmsedge_leg_kind kind);
/* "endpoint-expressway-e", "traversal-zone", "expressway-c-meeting-server"; "none". */
const char *cmsedge_hop_name(enum cmsedge_hop hop);
/* "started", "call-id", "sdp", "sdp-rtcp", "timing", "port-pair". */
const char *cmsedge_tie_name(enum cmsedge_tie tie);

/* What is missing or one-way in a call (a final one), or NULL when nothing is. */
const char *cmsedge_calls_problem(const struct cmsedge_calls *c, unsigned call, char *buf,
                                  size_t len);

/* The report of tshark -z cmsedge,calls: every final call with its allocations and legs. */
char *cmsedge_calls_text(const struct cmsedge_calls *c);

/* The report's forms: tshark -z cmsedge,calls[,text|csv|json]. */
enum cmsedge_calls_format { CMSEDGE_CALLS_TEXT = 0, CMSEDGE_CALLS_CSV, CMSEDGE_CALLS_JSON };

/* "text", "csv", "json" (any case); false if unknown. */
bool cmsedge_calls_format_parse(const char *text, enum cmsedge_calls_format *format);

/* Appends the report in a form: the text above; CSV, a header and a line per allocation and
 * per leg of each final call, the call's columns repeated on each; JSON, {"calls":[...]} with
 * each call's allocations and legs nested, one call a line. The same calls, allocations and
 * legs in the same order in all three. Returns false when the text ran out of memory. */
bool cmsedge_calls_write(const struct cmsedge_calls *c, enum cmsedge_calls_format format,
                         GString *out);

#endif
