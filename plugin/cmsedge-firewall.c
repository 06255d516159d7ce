/* cmsedge-firewall.c
 * The firewall verdict: a listener on the "cmsedge" tap that hands every annotated frame to the
 * core's cmsedge_firewall and prints, at the end, the rules the deployment needs and what the
 * capture proves about each (or the rules as nftables or Cisco ASA text).
 *
 *   tshark -q -z cmsedge,firewall[,text|csv|json|nft|asa][,FILTER]
 *
 * In Wireshark, Statistics > Cisco Meeting Server Edge firewall counts the frames per rule of
 * the reference's rows (the verdicts need the whole capture: use tshark for them).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "cmsedge-plugin.h"

#include <stdio.h>
#include <stdlib.h>

#include <epan/stat_tap_ui.h>
#include <epan/stats_tree.h>
#include <epan/tap.h>

#include "cmsedge/firewall.h"
#include "compat.h"

#define FIREWALL_CLI "cmsedge,firewall"

struct firewall_listener {
    struct cmsedge_firewall *fw;
    enum cmsedge_fw_format format;
};

static tap_packet_status firewall_packet(void *tapdata, packet_info *pinfo _U_,
                                         epan_dissect_t *edt _U_, const void *data,
                                         tap_flags_t flags _U_)
{
    const struct cmsedge_tap_record *r = data;
    cmsedge_firewall_add(((struct firewall_listener *)tapdata)->fw, r->annotation, r->facts);
    return TAP_PACKET_REDRAW;
}

static void firewall_reset(void *tapdata)
{
    cmsedge_firewall_reset(((struct firewall_listener *)tapdata)->fw);
}

static void firewall_draw(void *tapdata)
{
    struct firewall_listener *l = tapdata;
    GString *out = g_string_new(NULL);
    cmsedge_firewall_relays(l->fw, cmsedge_plugin_calls());
    cmsedge_firewall_write(l->fw, cmsedge_settings(), cmsedge_hosts(),
                           cmsedge_capture_inferred(cmsedge_plugin_capture()), l->format, out);
    fputs(out->str, stdout);
    g_string_free(out, TRUE);
}

static void firewall_finish(void *tapdata)
{
    struct firewall_listener *l = tapdata;
    cmsedge_firewall_free(l->fw);
    g_free(l);
}

/* The words after "cmsedge,firewall" (see cmsedge_stat_args). Returns false on a word that is
 * no format. */
static bool firewall_args(const char *opt_arg, enum cmsedge_fw_format *format, const char **filter)
{
    char *word;
    if (!cmsedge_stat_args(opt_arg, FIREWALL_CLI, &word, filter))
        return false;
    bool ok = !word || cmsedge_fw_format_parse(word, format);
    g_free(word);
    return ok;
}

static cmsedge_stat_init_ret firewall_init(const char *opt_arg, void *userdata _U_)
{
    struct firewall_listener *l = g_new0(struct firewall_listener, 1);
    const char *filter;
    if (!firewall_args(opt_arg, &l->format, &filter)) {
        fprintf(stderr,
                "tshark: invalid \"-z %s\": expected -z %s[,text|csv|json|nft|asa][,filter]\n",
                opt_arg, FIREWALL_CLI);
        g_free(l);
        CMSEDGE_STAT_INIT_FAIL();
    }
    l->fw = cmsedge_firewall_new();
    GString *err =
        register_tap_listener("cmsedge", l, filter && *filter ? filter : NULL, TL_REQUIRES_NOTHING,
                              firewall_reset, firewall_packet, firewall_draw, firewall_finish);
    if (err) {
        fprintf(stderr, "tshark: couldn't register the cmsedge firewall verdict: %s\n", err->str);
        g_string_free(err, TRUE);
        cmsedge_firewall_free(l->fw);
        g_free(l);
        CMSEDGE_STAT_INIT_FAIL();
    }
    CMSEDGE_STAT_INIT_OK();
}

static stat_tap_ui firewall_ui = {
    REGISTER_STAT_GROUP_GENERIC,
    "Cisco Meeting Server Edge firewall verdict",
    FIREWALL_CLI,
    firewall_init,
    0,
    NULL,
};

/* ---- the stats tree: frames per firewall and rule ------------------------------------------ */

static int st_root = -1;

static void fw_tree_init(stats_tree *st)
{
    st_root = stats_tree_create_node(st, "Frames of documented flows", 0, STAT_DT_INT, TRUE);
}

static tap_packet_status fw_tree_packet(stats_tree *st, packet_info *pinfo _U_,
                                        epan_dissect_t *edt _U_, const void *data,
                                        tap_flags_t flags _U_)
{
    static struct cmsedge_fw_rules *rules;
    static unsigned generation;
    const struct cmsedge_tap_record *r = data;
    const struct cmsedge_annotation *a = r->annotation;
    char name[160];

    if (!rules || generation != cmsedge_settings_generation()) {
        cmsedge_fw_rules_free(rules);
        rules = cmsedge_fw_rules_new(cmsedge_settings(), cmsedge_hosts(), NULL);
        generation = cmsedge_settings_generation();
    }
    if (!a->traffic || a->verdict.n_matches == 0)
        return TAP_PACKET_DONT_REDRAW;
    const struct cmsedge_fw_rule *rule =
        cmsedge_fw_rule_for(rules, a->verdict.matches[0].row, a->flow.transport);
    if (!rule)
        return TAP_PACKET_DONT_REDRAW;
    tick_stat_node(st, "Frames of documented flows", 0, TRUE);
    int wall = tick_stat_node(st, cmsedge_fw_wall_title(rule->wall), st_root, TRUE);
    g_snprintf(name, sizeof name, "R%02u %s %s (%s)", rule->number,
               rule->transport == CMSEDGE_TRANSPORT_TCP ? "tcp" : "udp", rule->rows[0]->purpose,
               rule->rows[0]->id);
    tick_stat_node(st, name, wall, FALSE);
    return TAP_PACKET_REDRAW;
}

static void register_firewall_listeners(void)
{
    register_stat_tap_ui(&firewall_ui, NULL);
    stats_tree_register_plugin("cmsedge", "cmsedge_firewall",
                               "Cisco Meeting Server Edge firewall rules", 0, fw_tree_packet,
                               fw_tree_init, NULL);
}

void cmsedge_firewall_register(void)
{
    static tap_plugin plug;
    plug.register_tap_listener = register_firewall_listeners;
    tap_register_plugin(&plug);
}
