/* cmsedge: the joins and calls as CSV, for scripts (see include/cmsedge/calls.h).
 *
 * One header, then per final call a line for each of its allocations ("allocation"), dialogs
 * ("dialog") and legs ("leg"), in the text's order. The call's columns (id, kind, first frame,
 * the calls that joined it, the verdict, what tied it and the confidence) stand on each of its
 * lines; a column that does not apply to a record stays empty. Lists (joined_by, permissions,
 * channels, sdp_media) are separated by ", " in one field. A dialog's a and b are its INVITE's
 * source and destination.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "calls_internal.h"
#include "text_escape.h"

#include "cmsedge/roles.h"

/* The columns in order: the call's (repeated on each of its lines), both records' (id,
 * first_frame), an allocation's (transport .. channels), a leg's (allocation .. last_frame). */
#define COLUMNS(X)                                                                                 \
    X(RECORD, "record")                                                                            \
    X(CALL, "call")                                                                                \
    X(CALL_KIND, "call_kind")                                                                      \
    X(CALL_FIRST_FRAME, "call_first_frame")                                                        \
    X(JOINED_BY, "joined_by")                                                                      \
    X(VERDICT, "verdict")                                                                          \
    X(CALL_TIED_BY, "call_tied_by")                                                                \
    X(CONFIDENCE, "confidence")                                                                    \
    X(ID, "id")                                                                                    \
    X(FIRST_FRAME, "first_frame")                                                                  \
    X(TRANSPORT, "transport")                                                                      \
    X(CLIENT_ROLE, "client_role")                                                                  \
    X(CLIENT, "client")                                                                            \
    X(SERVER, "server")                                                                            \
    X(SERVER_ROLE, "server_role")                                                                  \
    X(RELAYED, "relayed")                                                                          \
    X(REFUSED, "refused")                                                                          \
    X(LIFETIME, "lifetime")                                                                        \
    X(REFRESHES, "refreshes")                                                                      \
    X(RELEASED_FRAME, "released_frame")                                                            \
    X(PERMISSIONS, "permissions")                                                                  \
    X(CHANNELS, "channels")                                                                        \
    X(ALLOCATION, "allocation")                                                                    \
    X(LEG_KIND, "leg_kind")                                                                        \
    X(A, "a")                                                                                      \
    X(B, "b")                                                                                      \
    X(PACKETS, "packets")                                                                          \
    X(BYTES, "bytes")                                                                              \
    X(PACKETS_BACK, "packets_back")                                                                \
    X(BYTES_BACK, "bytes_back")                                                                    \
    X(LAST_FRAME, "last_frame")                                                                    \
    X(HOP, "hop")                                                                                  \
    X(RULE, "rule")                                                                                \
    X(TIED_BY, "tied_by")                                                                          \
    X(TIE_DIALOG, "tie_dialog")                                                                    \
    X(TIE_LEG, "tie_leg")                                                                          \
    X(TIE_FRAME, "tie_frame")                                                                      \
    X(CALL_ID, "call_id")                                                                          \
    X(STATUS, "status")                                                                            \
    X(STATUS_FRAME, "status_frame")                                                                \
    X(BYE_FRAME, "bye_frame")                                                                      \
    X(SDP_MEDIA, "sdp_media")

#define COLUMN_ENUM(name, word) COL_##name,
#define COLUMN_WORD(name, word) word,
enum column { COLUMNS(COLUMN_ENUM) N_COLUMNS };
static const char *const column_names[N_COLUMNS] = {COLUMNS(COLUMN_WORD)};

/* One line's fields; the call's stay from line to line, the record's are emptied. */
struct line {
    GString *cell[N_COLUMNS];
};

static void clear(struct line *l, enum column from)
{
    for (unsigned k = from; k < N_COLUMNS; k++)
        g_string_truncate(l->cell[k], 0);
}

static void put_line(GString *out, const struct line *l)
{
    for (unsigned k = 0; k < N_COLUMNS; k++)
        cmsedge_csv_field(out, l->cell[k]->str, k == N_COLUMNS - 1);
}

/* Appends an endpoint to a cell, after sep when the cell holds something already. */
static void put_endpoint(GString *cell, const char *sep, const struct cmsedge_endpoint *e)
{
    char text[64];
    cmsedge_calls_endpoint(e, text, sizeof text);
    g_string_append_printf(cell, "%s%s", cell->len ? sep : "", text);
}

static void call_columns(const struct cmsedge_calls *c, const struct cmsedge_call *call,
                         struct line *l)
{
    const struct cmsedge_call *joiner;
    char verdict[400];
    clear(l, COL_CALL);
    g_string_printf(l->cell[COL_CALL], "%u", call->id);
    g_string_assign(l->cell[COL_CALL_KIND], cmsedge_calls_kind(c, call->id));
    g_string_printf(l->cell[COL_CALL_FIRST_FRAME], "%u", call->first_frame);
    for (size_t k = 0; (joiner = cmsedge_calls_next_joiner(c, call->id, &k)) != NULL;)
        g_string_append_printf(l->cell[COL_JOINED_BY], "%scall %u at frame %u",
                               l->cell[COL_JOINED_BY]->len ? ", " : "", joiner->id,
                               joiner->joined_frame);
    g_string_assign(l->cell[COL_VERDICT],
                    cmsedge_calls_verdict(c, call->id, verdict, sizeof verdict));
    if (call->traversal) {
        char evidence[160];
        const char *confidence;
        cmsedge_traversal_evidence(c, call->id, evidence, sizeof evidence, &confidence);
        g_string_assign(l->cell[COL_CALL_TIED_BY], evidence);
        g_string_assign(l->cell[COL_CONFIDENCE], confidence ? confidence : "");
    }
}

static void uint_cell(GString *cell, unsigned v)
{
    if (v)
        g_string_printf(cell, "%u", v);
}

static void dialog_line(GString *out, struct line *l, const struct cmsedge_dialog *d)
{
    clear(l, COL_ID);
    g_string_assign(l->cell[COL_RECORD], "dialog");
    g_string_printf(l->cell[COL_ID], "%u", d->id);
    g_string_printf(l->cell[COL_FIRST_FRAME], "%u", d->invite_frame);
    put_endpoint(l->cell[COL_A], "", &d->a);
    put_endpoint(l->cell[COL_B], "", &d->b);
    g_string_assign(l->cell[COL_HOP], cmsedge_hop_name(d->hop));
    g_string_assign(l->cell[COL_TIED_BY], cmsedge_tie_name(d->tied_by));
    uint_cell(l->cell[COL_TIE_DIALOG], d->tie);
    g_string_assign(l->cell[COL_CALL_ID], d->call_id);
    uint_cell(l->cell[COL_STATUS], d->status);
    uint_cell(l->cell[COL_STATUS_FRAME], d->status_frame);
    uint_cell(l->cell[COL_BYE_FRAME], d->bye_frame);
    for (size_t i = 0; i < d->n_media; i++) {
        GString *cell = l->cell[COL_SDP_MEDIA];
        put_endpoint(cell, ", ", &d->media[i].at);
        g_string_append_printf(cell, " (%s, frame %u)", d->media[i].from_a ? "caller" : "callee",
                               d->media[i].frame);
    }
    put_line(out, l);
}

static void allocation_line(GString *out, struct line *l, const struct cmsedge_allocation *al)
{
    clear(l, COL_ID);
    g_string_assign(l->cell[COL_RECORD], "allocation");
    g_string_printf(l->cell[COL_ID], "%u", al->id);
    g_string_printf(l->cell[COL_FIRST_FRAME], "%u", al->first_frame);
    g_string_assign(l->cell[COL_TRANSPORT], al->transport == CMSEDGE_TRANSPORT_TCP ? "tcp" : "udp");
    g_string_assign(l->cell[COL_CLIENT_ROLE], cmsedge_calls_client_role(al));
    put_endpoint(l->cell[COL_CLIENT], "", &al->client);
    put_endpoint(l->cell[COL_SERVER], "", &al->server);
    g_string_assign(l->cell[COL_SERVER_ROLE], cmsedge_role_keyword(al->server_role));
    if (al->allocated)
        put_endpoint(l->cell[COL_RELAYED], "", &al->relayed);
    else if (al->error)
        g_string_printf(l->cell[COL_REFUSED], "%u", al->error);
    if (al->has_lifetime)
        g_string_printf(l->cell[COL_LIFETIME], "%u", al->lifetime);
    g_string_printf(l->cell[COL_REFRESHES], "%u", al->refreshes);
    uint_cell(l->cell[COL_RELEASED_FRAME], al->released_frame);
    for (size_t i = 0; i < al->n_peers; i++)
        put_endpoint(l->cell[COL_PERMISSIONS], ", ", &al->peers[i]);
    for (size_t i = 0; i < al->n_channels; i++) {
        GString *cell = l->cell[COL_CHANNELS];
        g_string_append_printf(cell, "%s0x%04x -> ", cell->len ? ", " : "", al->channels[i].number);
        put_endpoint(cell, "", &al->channels[i].peer);
    }
    put_line(out, l);
}

static void leg_line(GString *out, struct line *l, const struct cmsedge_leg *leg)
{
    clear(l, COL_ID);
    g_string_assign(l->cell[COL_RECORD], "leg");
    g_string_printf(l->cell[COL_ID], "%u", leg->id);
    g_string_printf(l->cell[COL_FIRST_FRAME], "%u", leg->first_frame);
    g_string_assign(l->cell[COL_LEG_KIND], cmsedge_leg_kind_name(leg->kind));
    if (leg->kind == CMSEDGE_LEG_SIP) {
        g_string_assign(l->cell[COL_HOP], cmsedge_hop_name(leg->hop));
        g_string_assign(l->cell[COL_TIED_BY], "dialog");
        uint_cell(l->cell[COL_TIE_DIALOG], leg->dialog);
    } else if (leg->kind == CMSEDGE_LEG_MEDIA) {
        bool sdp = leg->tied_by == CMSEDGE_TIE_SDP || leg->tied_by == CMSEDGE_TIE_SDP_RTCP;
        bool other = leg->tied_by == CMSEDGE_TIE_TIMING || leg->tied_by == CMSEDGE_TIE_PORT_PAIR;
        g_string_assign(l->cell[COL_HOP], cmsedge_hop_name(leg->hop));
        g_string_assign(l->cell[COL_TIED_BY], cmsedge_tie_name(leg->tied_by));
        uint_cell(l->cell[COL_TIE_DIALOG], sdp ? leg->tie : 0);
        uint_cell(l->cell[COL_TIE_LEG], other ? leg->tie : 0);
        uint_cell(l->cell[COL_TIE_FRAME], sdp ? leg->tie_frame : 0);
    } else {
        g_string_printf(l->cell[COL_ALLOCATION], "%u", leg->allocation);
    }
    if (leg->rule)
        g_string_assign(l->cell[COL_RULE], leg->rule);
    put_endpoint(l->cell[COL_A], "", &leg->a);
    put_endpoint(l->cell[COL_B], "", &leg->b);
    g_string_printf(l->cell[COL_PACKETS], "%" G_GUINT64_FORMAT, leg->packets[0]);
    g_string_printf(l->cell[COL_BYTES], "%" G_GUINT64_FORMAT, leg->bytes[0]);
    g_string_printf(l->cell[COL_PACKETS_BACK], "%" G_GUINT64_FORMAT, leg->packets[1]);
    g_string_printf(l->cell[COL_BYTES_BACK], "%" G_GUINT64_FORMAT, leg->bytes[1]);
    g_string_printf(l->cell[COL_LAST_FRAME], "%u", leg->last_frame);
    put_line(out, l);
}

void cmsedge_calls_write_csv(const struct cmsedge_calls *c, GString *out)
{
    const struct cmsedge_call *call;
    const struct cmsedge_allocation *al;
    const struct cmsedge_leg *leg;
    const struct cmsedge_dialog *d;
    struct line l;
    for (unsigned k = 0; k < N_COLUMNS; k++) {
        l.cell[k] = g_string_new(NULL);
        cmsedge_csv_field(out, column_names[k], k == N_COLUMNS - 1);
    }
    for (size_t i = 0; (call = cmsedge_calls_next_final(c, &i)) != NULL;) {
        call_columns(c, call, &l);
        for (size_t k = 0; (al = cmsedge_calls_next_allocation(c, call->id, &k)) != NULL;)
            allocation_line(out, &l, al);
        for (size_t k = 0; (d = cmsedge_calls_next_dialog(c, call->id, &k)) != NULL;)
            dialog_line(out, &l, d);
        for (size_t k = 0; (leg = cmsedge_calls_next_leg(c, call->id, &k)) != NULL;)
            leg_line(out, &l, leg);
    }
    for (unsigned k = 0; k < N_COLUMNS; k++)
        g_string_free(l.cell[k], TRUE);
}
