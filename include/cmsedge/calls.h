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

enum cmsedge_leg_kind {
    CMSEDGE_LEG_NONE = 0,
    CMSEDGE_LEG_TURN,        /* a client and its TURN server: control and tunnelled media */
    CMSEDGE_LEG_RELAY,       /* a relayed address and a peer */
    CMSEDGE_LEG_RELAY_RELAY, /* two relayed addresses */
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
    uint32_t lifetime; /* seconds, from the success or a Refresh */
    size_t n_peers;    /* XOR-PEER-ADDRESS of permissions and channels, as given (a permission
                          is for the address, RFC 8656 section 9; the port names the peer) */
    struct cmsedge_endpoint peers[CMSEDGE_CALLS_MAX_PEERS];
    size_t n_channels;
    struct cmsedge_channel channels[CMSEDGE_CALLS_MAX_CHANNELS];
};

struct cmsedge_leg {
    unsigned id;   /* from 1, in the order of their first frame */
    unsigned call; /* the call it belonged to at its first frame */
    enum cmsedge_leg_kind kind;
    unsigned allocation;           /* the allocation whose client or relay it is */
    struct cmsedge_endpoint a, b;  /* a: its first frame's source */
    uint64_t packets[2], bytes[2]; /* [0] a to b, [1] b to a */
    uint32_t first_frame, last_frame;
};

struct cmsedge_call {
    unsigned id;
    unsigned joined;       /* the call it joined, 0 while it is its own */
    uint32_t joined_frame; /* the frame that joined it */
    uint32_t first_frame;
};

/* What a frame is part of: call 0 for none. */
struct cmsedge_call_ref {
    unsigned call;
    unsigned leg;
    enum cmsedge_leg_kind kind;
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

const char *cmsedge_leg_kind_name(enum cmsedge_leg_kind kind);

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
