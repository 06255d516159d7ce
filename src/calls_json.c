/* cmsedge: the joins and calls as JSON, for scripts (see include/cmsedge/calls.h).
 *
 * {"calls":[...]}, one final call a line, in the text's order: its id, kind, first frame, the
 * calls that joined it, the verdict, what tied it and with what confidence (traversal calls;
 * [] and null for web-app joins), then its allocations, dialogs and legs nested. What the text
 * leaves out (no relayed address, no refusal code, no lifetime, no rule) is null.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "calls_internal.h"
#include "text_escape.h"

#include "cmsedge/roles.h"

/* The ',' before an element of an array, unless it is the first. */
static void json_next(GString *out)
{
    if (out->len && out->str[out->len - 1] != '[')
        g_string_append_c(out, ',');
}

/* "key":"address:port" */
static void json_endpoint(GString *out, const char *key, const struct cmsedge_endpoint *e)
{
    char text[64];
    cmsedge_calls_endpoint(e, text, sizeof text);
    g_string_append_printf(out, "\"%s\":", key);
    cmsedge_json_string(out, text);
}

static void json_uint_or_null(GString *out, const char *key, unsigned v)
{
    if (v)
        g_string_append_printf(out, ",\"%s\":%u", key, v);
    else
        g_string_append_printf(out, ",\"%s\":null", key);
}

static void json_allocation(GString *out, const struct cmsedge_allocation *al)
{
    g_string_append_printf(out,
                           "{\"id\":%u,\"first_frame\":%u,\"transport\":\"%s\",\"client_role\":"
                           "\"%s\",",
                           al->id, al->first_frame,
                           al->transport == CMSEDGE_TRANSPORT_TCP ? "tcp" : "udp",
                           cmsedge_calls_client_role(al));
    json_endpoint(out, "client", &al->client);
    g_string_append_c(out, ',');
    json_endpoint(out, "server", &al->server);
    g_string_append_printf(out, ",\"server_role\":\"%s\",", cmsedge_role_keyword(al->server_role));
    if (al->allocated)
        json_endpoint(out, "relayed", &al->relayed);
    else
        g_string_append(out, "\"relayed\":null");
    if (!al->allocated && al->error)
        g_string_append_printf(out, ",\"refused\":%u", al->error);
    else
        g_string_append(out, ",\"refused\":null");
    if (al->has_lifetime)
        g_string_append_printf(out, ",\"lifetime\":%u", al->lifetime);
    else
        g_string_append(out, ",\"lifetime\":null");
    g_string_append_printf(out, ",\"refreshes\":%u", al->refreshes);
    json_uint_or_null(out, "released_frame", al->released_frame);
    g_string_append(out, ",\"permissions\":[");
    for (size_t i = 0; i < al->n_peers; i++) {
        char peer[64];
        cmsedge_calls_endpoint(&al->peers[i], peer, sizeof peer);
        json_next(out);
        cmsedge_json_string(out, peer);
    }
    g_string_append(out, "],\"channels\":[");
    for (size_t i = 0; i < al->n_channels; i++) {
        json_next(out);
        g_string_append_printf(out, "{\"number\":%u,", al->channels[i].number);
        json_endpoint(out, "peer", &al->channels[i].peer);
        g_string_append_c(out, '}');
    }
    g_string_append(out, "]}");
}

static void json_dialog(GString *out, const struct cmsedge_dialog *d)
{
    g_string_append_printf(out, "{\"id\":%u,\"hop\":\"%s\",\"tied_by\":\"%s\"", d->id,
                           cmsedge_hop_name(d->hop), cmsedge_tie_name(d->tied_by));
    json_uint_or_null(out, "tie_dialog", d->tie);
    g_string_append(out, ",\"call_id\":");
    cmsedge_json_string(out, d->call_id);
    g_string_append_printf(out, ",\"invite_frame\":%u,", d->invite_frame);
    json_endpoint(out, "caller", &d->a);
    g_string_append_c(out, ',');
    json_endpoint(out, "callee", &d->b);
    json_uint_or_null(out, "status", d->status);
    json_uint_or_null(out, "status_frame", d->status_frame);
    json_uint_or_null(out, "bye_frame", d->bye_frame);
    g_string_append(out, ",\"sdp_media\":[");
    for (size_t i = 0; i < d->n_media; i++) {
        json_next(out);
        g_string_append_c(out, '{');
        json_endpoint(out, "at", &d->media[i].at);
        g_string_append_printf(out, ",\"from\":\"%s\",\"frame\":%u}",
                               d->media[i].from_a ? "caller" : "callee", d->media[i].frame);
    }
    g_string_append(out, "]}");
}

/* ,"rule":"T2-06" or ,"rule":null */
static void json_rule(GString *out, const char *rule)
{
    g_string_append(out, ",\"rule\":");
    if (rule)
        cmsedge_json_string(out, rule);
    else
        g_string_append(out, "null");
}

/* A traversal call's leg: its hop, rule and tie. */
static void json_leg_tie(GString *out, const struct cmsedge_leg *l)
{
    g_string_append_printf(out, ",\"hop\":\"%s\"", cmsedge_hop_name(l->hop));
    json_rule(out, l->rule);
    bool media = l->kind == CMSEDGE_LEG_MEDIA;
    bool by_dialog = !media || l->tied_by == CMSEDGE_TIE_SDP || l->tied_by == CMSEDGE_TIE_SDP_RTCP;
    bool by_leg =
        media && (l->tied_by == CMSEDGE_TIE_TIMING || l->tied_by == CMSEDGE_TIE_PORT_PAIR);
    g_string_append_printf(out, ",\"tied_by\":\"%s\"",
                           media ? cmsedge_tie_name(l->tied_by) : "dialog");
    json_uint_or_null(out, "tie_dialog", !media ? l->dialog : by_dialog ? l->tie : 0);
    json_uint_or_null(out, "tie_leg", by_leg ? l->tie : 0);
    json_uint_or_null(out, "tie_frame", media && by_dialog ? l->tie_frame : 0);
}

static void json_leg(GString *out, const struct cmsedge_leg *l)
{
    bool traversal = l->kind == CMSEDGE_LEG_SIP || l->kind == CMSEDGE_LEG_MEDIA;
    g_string_append_printf(out, "{\"id\":%u,\"kind\":\"%s\"", l->id,
                           cmsedge_leg_kind_name(l->kind));
    if (traversal)
        json_leg_tie(out, l);
    else
        g_string_append_printf(out, ",\"allocation\":%u", l->allocation);
    if (!traversal)
        json_rule(out, l->rule);
    g_string_append_c(out, ',');
    json_endpoint(out, "a", &l->a);
    g_string_append_c(out, ',');
    json_endpoint(out, "b", &l->b);
    g_string_append_printf(
        out,
        ",\"packets\":%" G_GUINT64_FORMAT ",\"bytes\":%" G_GUINT64_FORMAT
        ",\"packets_back\":%" G_GUINT64_FORMAT ",\"bytes_back\":%" G_GUINT64_FORMAT
        ",\"first_frame\":%u,\"last_frame\":%u}",
        l->packets[0], l->bytes[0], l->packets[1], l->bytes[1], l->first_frame, l->last_frame);
}

static void json_call(GString *out, const struct cmsedge_calls *c, const struct cmsedge_call *call)
{
    const struct cmsedge_call *joiner;
    const struct cmsedge_allocation *al;
    const struct cmsedge_leg *leg;
    const struct cmsedge_dialog *d;
    char verdict[400];
    g_string_append_printf(out, "{\"id\":%u,\"kind\":\"%s\",\"first_frame\":%u,\"joined_by\":[",
                           call->id, cmsedge_calls_kind(c, call->id), call->first_frame);
    for (size_t k = 0; (joiner = cmsedge_calls_next_joiner(c, call->id, &k)) != NULL;) {
        json_next(out);
        g_string_append_printf(out, "{\"call\":%u,\"frame\":%u}", joiner->id, joiner->joined_frame);
    }
    g_string_append(out, "],\"verdict\":");
    cmsedge_json_string(out, cmsedge_calls_verdict(c, call->id, verdict, sizeof verdict));
    g_string_append(out, ",\"tied_by\":[");
    unsigned ties = call->traversal ? cmsedge_traversal_ties(c, call->id) : 0;
    for (unsigned t = 0; t <= CMSEDGE_TIE_PORT_PAIR; t++)
        if ((ties >> t) & 1u) {
            json_next(out);
            g_string_append_printf(out, "\"%s\"", cmsedge_tie_name((enum cmsedge_tie)t));
        }
    char evidence[160];
    const char *confidence = NULL;
    if (call->traversal)
        cmsedge_traversal_evidence(c, call->id, evidence, sizeof evidence, &confidence);
    if (confidence)
        g_string_append_printf(out, "],\"confidence\":\"%s\"", confidence);
    else
        g_string_append(out, "],\"confidence\":null");
    g_string_append(out, ",\"allocations\":[");
    for (size_t k = 0; (al = cmsedge_calls_next_allocation(c, call->id, &k)) != NULL;) {
        json_next(out);
        json_allocation(out, al);
    }
    g_string_append(out, "],\"dialogs\":[");
    for (size_t k = 0; (d = cmsedge_calls_next_dialog(c, call->id, &k)) != NULL;) {
        json_next(out);
        json_dialog(out, d);
    }
    g_string_append(out, "],\"legs\":[");
    for (size_t k = 0; (leg = cmsedge_calls_next_leg(c, call->id, &k)) != NULL;) {
        json_next(out);
        json_leg(out, leg);
    }
    g_string_append(out, "]}");
}

void cmsedge_calls_write_json(const struct cmsedge_calls *c, GString *out)
{
    const struct cmsedge_call *call;
    size_t i = 0;
    g_string_append(out, "{\"calls\":[");
    while ((call = cmsedge_calls_next_final(c, &i)) != NULL) {
        json_next(out);
        g_string_append_c(out, '\n');
        json_call(out, c, call);
    }
    g_string_append(out, out->str[out->len - 1] == '[' ? "]}\n" : "\n]}\n");
}
