/* cmsedge: what the plugin's files share.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef CMSEDGE_PLUGIN_H
#define CMSEDGE_PLUGIN_H

#include <epan/packet.h>
#include <epan/prefs.h>

#include "cmsedge/calls.h"
#include "cmsedge/capture.h"
#include "cmsedge/checks.h"
#include "cmsedge/classify.h"
#include "cmsedge/facts.h"
#include "cmsedge/frame_log.h"
#include "cmsedge/infer.h"
#include "cmsedge/hostmap.h"
#include "cmsedge/settings.h"

/* packet-cmsedge.c */
void proto_register_cmsedge(void);
void proto_reg_handoff_cmsedge(void);

/* cmsedge-prefs.c: preferences and the cmsedge_hosts UAT, turned into core settings. */
void cmsedge_prefs_register(module_t *module);
/* Re-reads the preferences into the settings; returns false (and has reported why) when a
 * value was bad and its previous value was kept. */
bool cmsedge_prefs_apply(void);
const struct cmsedge_settings *cmsedge_settings(void);
/* Changes whenever the settings may have changed, so text derived from them can be cached. */
unsigned cmsedge_settings_generation(void);
const struct cmsedge_hostmap *cmsedge_hosts(void);
bool cmsedge_prefs_info_column(void);
bool cmsedge_prefs_row_details(void);
/* cmsedge-asked.c: tshark was asked to print this field (-e) */
bool cmsedge_asked_field(int hf);
/* cmsedge-asked.c: tshark prints only its -e fields (no details pane, -V, -O or -P) */
bool cmsedge_asked_only(void); /* the row's constants in the tree (see want()) */
/* cmsedge-asked.c: somebody reads this tree (-V, -O, -P, the GUI's details pane): its labels are
 * worth formatting */
bool cmsedge_tree_shown(proto_tree *tree);
/* cmsedge-asked.c: nothing reads a hidden item unless a filter, a column or -e names its field:
 * tshark writing text, without the display_hidden_proto_items preference */
bool cmsedge_hidden_unread(void);
/* cmsedge-asked.c: the program is tshark in one pass, whose dissection of a frame asks for
 * every field, filter and column it will read of it (a second pass, the GUI and sharkd may ask
 * later) */
bool cmsedge_tshark_one_pass(void);
bool cmsedge_prefs_infer_roles(void);

/* cmsedge-facts.c: TCP flags and sequence numbers, ICMP errors and STUN messages, read from the
 * frame's bytes at the headers pinfo and the layers (cmsedge-hint.c) point to; no protocol
 * tree needed, and the same on every pass. */
struct cmsedge_layers;
struct cmsedge_sip_info;
/* Fills facts; with sip non-NULL also the SIP message of a frame the SIP dissector took, and
 * then returns whether one was read. */
bool cmsedge_facts_read(tvbuff_t *tvb, packet_info *pinfo, const struct cmsedge_layers *layers,
                        struct cmsedge_facts *facts, struct cmsedge_sip_info *sip);

/* cmsedge-capture.c: the core's state of the open capture file (src/capture.c). */
void cmsedge_capture_register(void);
/* The capture, pointed at the current settings and hosts. */
struct cmsedge_capture *cmsedge_plugin_capture(void);
/* The joins and calls of the open capture file (src/calls.c). */
struct cmsedge_calls *cmsedge_plugin_calls(void);
/* Each frame's call and leg, as the first pass tied it (src/frame_log.c). */
struct cmsedge_frame_log *cmsedge_plugin_call_log(void);

/* cmsedge-stat-args.c: splits the argument of -z CLI[,FORMAT][,FILTER] (cli: "cmsedge,audit",
 * ...). Returns false when opt_arg goes on after cli with anything but ','. Otherwise *format
 * is the first word after cli when it is made of letters only (a format or a misspelt one:
 * most such words are protocol names, which must not become a filter), to g_free, or NULL;
 * *filter is what follows that word, or all after cli's ',' when there is no such word, or
 * NULL when nothing follows. */
bool cmsedge_stat_args(const char *opt_arg, const char *cli, char **format, const char **filter);

/* cmsedge-calls.c: tshark -z cmsedge,calls[,text|csv|json]. */
void cmsedge_calls_register(void);

/* cmsedge-audit.c: the edge audit (tshark -z cmsedge,audit) and its Statistics menu tree. */
void cmsedge_audit_register(void);
/* The "cmsedge" tap carries, for each annotated frame, its struct cmsedge_tap_record. */
struct cmsedge_tap_record {
    const struct cmsedge_annotation *annotation;
    const struct cmsedge_facts *facts;
};

/* cmsedge-firewall.c: the firewall verdict (tshark -z cmsedge,firewall) and its stats tree. */
void cmsedge_firewall_register(void);

/* cmsedge-ports.c: decoding on the documented ports (port tables and heuristics). */
void cmsedge_ports_register(int proto);
void cmsedge_ports_handoff(void);
void cmsedge_ports_update(const struct cmsedge_settings *s);

/* cmsedge-hint.c: what the frame carries, from the protocols already dissected. */
struct cmsedge_layers {
    int hint;     /* the payload: an enum cmsedge_app or a CMSEDGE_HINT_* */
    bool in_icmp; /* an ICMP error quoting a UDP/TCP packet: pinfo's ports are the quoted one's */
    bool stun;    /* the stock STUN dissector took the innermost UDP/TCP payload */
    /* IPv4 and IPv6 headers dissected; more than one in a tunnel or an ICMP error's quote */
    unsigned ip_layers;
};
void cmsedge_hint_init(void);
void cmsedge_layers_read(packet_info *pinfo, int own_proto, struct cmsedge_layers *layers);

#endif
