/* cmsedge: the port reference as C data.
 *
 * The rows themselves are generated at build time from tables/port-reference.tsv by
 * tables/gen_reference.py; this header declares their shape and the helpers that evaluate a
 * row's port cells under the deployment settings.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef CMSEDGE_REFERENCE_H
#define CMSEDGE_REFERENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cmsedge/roles.h"
#include "cmsedge/settings.h"

/* Transports, as a bit set. */
#define CMSEDGE_TRANSPORT_UDP 0x1u
#define CMSEDGE_TRANSPORT_TCP 0x2u

/* Application payloads: what a row carries and what a frame was seen to carry. */
enum cmsedge_app {
    CMSEDGE_APP_TLS = 0,
    CMSEDGE_APP_HTTP,
    CMSEDGE_APP_SIP,
    CMSEDGE_APP_STUN,      /* STUN/TURN message other than a data-carrying indication */
    CMSEDGE_APP_TURN_DATA, /* TURN ChannelData, or a Send/Data indication */
    CMSEDGE_APP_RTP,
    CMSEDGE_APP_RTCP,
    CMSEDGE_APP_DTLS,
    CMSEDGE_APP_SSH,
    CMSEDGE_APP_COUNT
};
#define CMSEDGE_APP_BIT(a) (1u << (a))
/* "media" in the table: whatever a TURN relay carries. */
#define CMSEDGE_APP_MEDIA                                                                          \
    (CMSEDGE_APP_BIT(CMSEDGE_APP_RTP) | CMSEDGE_APP_BIT(CMSEDGE_APP_RTCP) |                        \
     CMSEDGE_APP_BIT(CMSEDGE_APP_DTLS) | CMSEDGE_APP_BIT(CMSEDGE_APP_STUN) |                       \
     CMSEDGE_APP_BIT(CMSEDGE_APP_TURN_DATA))
#define CMSEDGE_APP_ANY_MEDIA 0x8000u /* the row accepts any payload at all (relays) */

const char *cmsedge_app_keyword(enum cmsedge_app app);
const char *cmsedge_app_title(enum cmsedge_app app);

/* One element of a port cell. */
enum cmsedge_port_kind {
    CMSEDGE_PORTS_RANGE = 0, /* lo-hi, optionally even or odd only */
    CMSEDGE_PORTS_ZONE,      /* lo + (zone - 1) for each configured traversal zone */
    CMSEDGE_PORTS_RELAY,     /* the TURN relay range setting; lo-hi is the reference default */
    CMSEDGE_PORTS_MS_MEDIA,  /* the Meeting Server media range setting */
    CMSEDGE_PORTS_ADMIN,     /* the web administration port setting */
    CMSEDGE_PORTS_TURN_TCP,  /* the TURN TCP override port, TCP only, when configured */
    CMSEDGE_PORTS_EXCLUDE,   /* "NOT lo": never this port, whatever else the cell says */
};

enum cmsedge_port_style {
    CMSEDGE_STYLE_PLAIN = 0, /* "443", "24000-29999" */
    CMSEDGE_STYLE_AT_LEAST,  /* ">=1024" */
    CMSEDGE_STYLE_EPHEMERAL, /* "Ephemeral" */
};

enum cmsedge_parity { CMSEDGE_PARITY_ANY = 0, CMSEDGE_PARITY_EVEN, CMSEDGE_PARITY_ODD };

enum cmsedge_demux_cond { CMSEDGE_DEMUX_EITHER = 0, CMSEDGE_DEMUX_ON, CMSEDGE_DEMUX_OFF };

#define CMSEDGE_SIZE_BIT(s) (1u << (s))
#define CMSEDGE_ALL_SIZES   0x7u

struct cmsedge_port_item {
    uint8_t kind;     /* enum cmsedge_port_kind */
    uint8_t style;    /* enum cmsedge_port_style */
    uint8_t parity;   /* enum cmsedge_parity */
    uint8_t sizes;    /* CMSEDGE_SIZE_BIT set this item applies to */
    uint8_t demux;    /* enum cmsedge_demux_cond */
    uint8_t footnote; /* 0 = none */
    uint16_t lo, hi;
};

struct cmsedge_port_cell {
    const struct cmsedge_port_item *items;
    uint8_t n_items;
    const char *text;   /* the cell as written in tables/, for display */
    const char *remark; /* the reference's remark on the cell, or "" */
};

struct cmsedge_row_end {
    uint8_t role;       /* enum cmsedge_role */
    uint8_t translated; /* NAT rows: role after translation; CMSEDGE_ROLE_NONE otherwise */
    const char *label;  /* the reference's words, e.g. "Expressway-E TURN server public IP" */
    struct cmsedge_port_cell ports;
};

/* What a payload-confirmed frame of a row says about its hosts (tables/README.md). */
enum cmsedge_evidence {
    CMSEDGE_EVIDENCE_NONE = 0, /* generic: ordinary software makes such flows too */
    CMSEDGE_EVIDENCE_SPECIFIC, /* only an Expressway deployment makes it: labelled between
                                  strangers, and evidence of both hosts' roles on its own */
    CMSEDGE_EVIDENCE_ANCHORED, /* evidence of one host's role once the other's is known */
};

enum cmsedge_version_op { CMSEDGE_VERSION_ANY = 0, CMSEDGE_VERSION_BEFORE, CMSEDGE_VERSION_FROM };

struct cmsedge_row {
    const char *id; /* "T2-06": stable across releases */
    uint8_t table;  /* 1-4 */
    uint16_t index; /* position in cmsedge_rows[] */
    const char *purpose;
    uint32_t footnotes; /* bit n set: footnote n applies to the row (anywhere in it) */
    struct cmsedge_row_end src, dst;
    const char *protocol; /* the reference's Protocol cell, e.g. "TCP or TLS" */
    uint8_t transports;   /* CMSEDGE_TRANSPORT_* */
    uint16_t apps;        /* CMSEDGE_APP_BIT set, or CMSEDGE_APP_ANY_MEDIA */
    uint8_t sizes;        /* CMSEDGE_SIZE_BIT set the row applies to */
    uint8_t version_op;   /* enum cmsedge_version_op */
    uint32_t version;     /* cmsedge_version_parse() form */
    uint8_t evidence;     /* enum cmsedge_evidence */
    unsigned line;        /* line in tables/port-reference.tsv */
};

struct cmsedge_scenario {
    uint8_t table;
    const char *title;   /* the section title: unique per table */
    const char *caption; /* the table's caption in the reference */
};

struct cmsedge_footnote {
    uint8_t number;
    const char *text;
};

extern const struct cmsedge_row cmsedge_rows[];
extern const size_t cmsedge_n_rows;
extern const struct cmsedge_scenario cmsedge_scenarios[];
extern const size_t cmsedge_n_scenarios;
extern const struct cmsedge_footnote cmsedge_footnotes[];
extern const size_t cmsedge_n_footnotes;

const struct cmsedge_row *cmsedge_row_by_id(const char *id);
/* The first row, in the reference's order, from a host of role src to one of role dst that
 * carries app (an enum cmsedge_app): the rule a report cites for a flow it found missing. */
const struct cmsedge_row *cmsedge_row_first(unsigned src, unsigned dst, unsigned app);
const struct cmsedge_scenario *cmsedge_scenario(unsigned table);
const char *cmsedge_footnote_text(unsigned number);

/* Is `port` in the cell under settings s, for transport t? On success, *zone gets the
 * traversal zone number for zone-indexed ports (else 0) and *footnote the footnote attached to
 * the element that matched (else 0). */
bool cmsedge_cell_contains(const struct cmsedge_port_cell *cell, const struct cmsedge_settings *s,
                           unsigned transport, uint16_t port, unsigned *zone, unsigned *footnote);
/* The cell's ports under settings s, for messages: "24000-29999", "2776", ">=1024",
 * "7001-7002", "8443, not 443". */
void cmsedge_cell_describe(const struct cmsedge_port_cell *cell, const struct cmsedge_settings *s,
                           char *buf, size_t len);
/* Does either end of the row name the TURN relay range? */
bool cmsedge_row_uses_relays(const struct cmsedge_row *row);

/* Does the row apply to this deployment size? */
bool cmsedge_row_applies(const struct cmsedge_row *row, const struct cmsedge_settings *s);

/* Candidate rows whose destination cell may contain `port` for transport t: a superset, cost
 * independent of the number of rows. Calls fn for each candidate; stops if fn returns false. */
typedef bool (*cmsedge_row_fn)(const struct cmsedge_row *row, void *user);
void cmsedge_candidates(const struct cmsedge_settings *s, unsigned transport, uint16_t port,
                        cmsedge_row_fn fn, void *user);

/* The port ranges the rows name for a transport, under settings s: rows whose payload set
 * meets `apps` (CMSEDGE_APP_BIT values, or CMSEDGE_APP_ANY_MEDIA), from the source and/or
 * destination cells (`ends`). Open-ended cells (">=1024", "Ephemeral") name no service port and
 * are skipped. Ranges may repeat or overlap. */
#define CMSEDGE_END_SRC 0x1u
#define CMSEDGE_END_DST 0x2u
typedef void (*cmsedge_range_fn)(uint16_t lo, uint16_t hi, void *user);
/* Every element of a cell that applies under the settings, as the ports it spans (an
 * exclusion's one port too), whatever its transport, parity or style: outside these bounds the
 * cell's answer to cmsedge_cell_contains cannot change from one port to the next. */
void cmsedge_cell_bounds(const struct cmsedge_port_cell *cell, const struct cmsedge_settings *s,
                         cmsedge_range_fn fn, void *user);
void cmsedge_service_ports(const struct cmsedge_settings *s, unsigned transport, unsigned apps,
                           unsigned ends, cmsedge_range_fn fn, void *user);

#endif
