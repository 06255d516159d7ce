/* packet-cmsedge.c
 * Cisco Meeting Server Edge: what each frame is for, according to Cisco's port reference for
 * Meeting Server behind Expressway-C and Expressway-E, and a warning when it is not what the
 * reference documents.
 *
 * Reference: "Cisco Meeting Server" chapter of Cisco's Expressway IP port usage guide,
 * tables 1-4 and footnotes 1-6, transcribed in tables/port-reference.tsv.
 *
 * This is a postdissector: it runs after the stock dissectors on every frame, reads the
 * innermost UDP/TCP addresses and ports from pinfo, the payload from the layers already
 * dissected (cmsedge-hint.c) and TCP/ICMP/STUN facts from the frame's bytes (cmsedge-facts.c)
 * into a struct cmsedge_frame, and hands it to the core's one per-frame entry point
 * (cmsedge_capture_annotate, src/capture.c). Everything a user sees is in the annotation that
 * comes back; this file only renders it: the tree, the Info column, expert infos and the tap.
 * It needs no protocol tree: without one (tshark's summary mode) it annotates all the same.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "cmsedge-plugin.h"

#include <epan/expert.h>
#include <epan/tap.h>

#include "compat.h"

static int proto_cmsedge = -1;

static int hf_purpose = -1;
static int hf_table = -1;
static int hf_scenario = -1;
static int hf_rule = -1;
static int hf_reply = -1;
static int hf_zone = -1;
static int hf_src_role = -1;
static int hf_dst_role = -1;
static int hf_src_host = -1;
static int hf_dst_host = -1;
static int hf_src_origin = -1;
static int hf_dst_origin = -1;
static int hf_protocol = -1;
static int hf_src_ports = -1;
static int hf_dst_ports = -1;
static int hf_payload = -1;
static int hf_judged = -1;
static int hf_offspec = -1;
static int hf_reason = -1;
static int hf_expected_rule = -1;
static int hf_footnote = -1;
static int hf_footnote_text = -1;
static int hf_finding = -1;
static int hf_translated = -1;
static int hf_check = -1;
static int hf_check_kind = -1;
static int hf_check_rule = -1;
static int hf_inferred = -1;
static int hf_evidence_frame = -1;
static int hf_service = -1;
static int hf_service_id = -1;
static int hf_call = -1;
static int hf_leg = -1;
static int hf_leg_kind = -1;
static int hf_hop = -1;

static gint ett_cmsedge = -1;
static gint ett_match = -1;
static gint ett_finding = -1;
static gint ett_check = -1;
static gint ett_inferred = -1;

static expert_field ei_unmatched = EI_INIT;
static expert_field ei_footnote_warning = EI_INIT;
static expert_field ei_footnote_note = EI_INIT;
static expert_field ei_translated = EI_INIT;
static expert_field ei_blocked = EI_INIT;
static expert_field ei_check_warning = EI_INIT;
static expert_field ei_check_note = EI_INIT;
static expert_field ei_inferred = EI_INIT;

static int cmsedge_tap = -1;
static int cmsedge_calls_tap = -1; /* "cmsedge_calls": every frame of a call's leg, with its ref */
static dissector_handle_t cmsedge_handle;

/* Text shown for each row, made once per settings change rather than once per frame: in
 * tshark -T fields and -V the whole tree is built, so per-frame formatting is what costs. */
struct row_text {
    char title[176];     /* "T2-08: Assent RTP (traversed media)" */
    char src_ports[112]; /* "24000-29999" under the current settings */
    char dst_ports[112];
};
static struct row_text *row_texts;
static unsigned row_texts_generation;

static const struct row_text *row_text(const struct cmsedge_row *row)
{
    if (!row_texts || row_texts_generation != cmsedge_settings_generation()) {
        const struct cmsedge_settings *s = cmsedge_settings();
        if (!row_texts)
            row_texts = g_new0(struct row_text, cmsedge_n_rows);
        for (size_t i = 0; i < cmsedge_n_rows; i++) {
            const struct cmsedge_row *r = &cmsedge_rows[i];
            g_snprintf(row_texts[i].title, sizeof row_texts[i].title, "%s: %s", r->id, r->purpose);
            cmsedge_cell_describe(&r->src.ports, s, row_texts[i].src_ports,
                                  sizeof row_texts[i].src_ports);
            cmsedge_cell_describe(&r->dst.ports, s, row_texts[i].dst_ports,
                                  sizeof row_texts[i].dst_ports);
        }
        row_texts_generation = cmsedge_settings_generation();
    }
    return &row_texts[row->index];
}

static const char *origin_name(enum cmsedge_role_origin origin)
{
    switch (origin) {
    case CMSEDGE_ORIGIN_CONFIGURED:
        return "configured";
    case CMSEDGE_ORIGIN_INFERRED:
        return "inferred";
    default:
        return "unconfigured";
    }
}

/* The header fields of the array proto_register_cmsedge registers, by their index from the
 * first: proto_register_field_array numbers one array's fields consecutively. want() reads a
 * field's reference state and whether -e named it here, without a registrar call or a walk of
 * the -e list, on every item of every frame. Filled on the first frame, when every field of
 * the command line is registered. */
#define FIELDS_MAX 64
static struct {
    int first;
    size_t n;
    bool filled;
    header_field_info *info[FIELDS_MAX];
    uint64_t asked; /* named by tshark -e (cmsedge-asked.c), one bit each by index from first */
} fields;

static void fields_note(const hf_register_info *hf, size_t n)
{
    fields.first = *hf[0].p_id;
    fields.n = n;
    for (size_t i = 0; i < n; i++) {
        if (n > FIELDS_MAX || *hf[i].p_id != fields.first + (int)i)
            fields.n = 0; /* not consecutive after all: want() asks the registrar instead */
    }
}

static void fields_fill(void)
{
    for (size_t i = 0; i < fields.n; i++) {
        fields.info[i] = proto_registrar_get_nth((guint)(fields.first + (int)i));
        if (cmsedge_asked_field(fields.first + (int)i))
            fields.asked |= UINT64_C(1) << i;
    }
    fields.filled = true;
}

/* How this frame's tree is shown, read once per frame (dissect_cmsedge) rather than on each of
 * the twenty-odd items want() is asked about: shown is a tree somebody reads (-V, the GUI's
 * details pane; not tshark printing -e fields alone, whose tree 4.0 builds visible though
 * nobody sees it), details the row_details preference. */
static struct {
    bool shown;
    bool details;
    bool hidden_unread; /* a shown tree's hidden items go unread (cmsedge_hidden_unread) */
    /* the fields a filter, a column or -e asks for, one bit each by index from fields.first
     * (all bits when the fields are not numbered consecutively) */
    uint64_t asked;
} tree_mode;

/* The bit of field hf in tree_mode.asked (every bit for a field outside the table). */
static uint64_t field_bit(int hf)
{
    size_t i = (size_t)(hf - fields.first);
    return hf >= fields.first && i < fields.n ? UINT64_C(1) << i : UINT64_MAX;
}

/* Whether any of a group of items may be added: always in a shown tree, else only when one of
 * the group's fields is asked for. Lets a frame of tshark -e cmsedge.purpose skip the roles,
 * hosts, rows' constants and call items at once instead of asking about each. */
static bool group_wanted(proto_tree *tree, uint64_t group)
{
    return tree && (tree_mode.shown || (tree_mode.asked & group));
}

/* The groups render() asks about, as field bits. */
static struct {
    bool made;
    uint64_t match, roles, service, hosts, call;
} groups;

static void make_groups(void)
{
    groups.match = field_bit(hf_rule) | field_bit(hf_table) | field_bit(hf_scenario) |
                   field_bit(hf_reply) | field_bit(hf_zone) | field_bit(hf_protocol) |
                   field_bit(hf_src_ports) | field_bit(hf_dst_ports) | field_bit(hf_footnote);
    groups.roles = field_bit(hf_src_role) | field_bit(hf_dst_role);
    groups.service = field_bit(hf_service) | field_bit(hf_service_id);
    groups.hosts = field_bit(hf_src_host) | field_bit(hf_dst_host) | field_bit(hf_src_origin) |
                   field_bit(hf_dst_origin) | field_bit(hf_evidence_frame);
    groups.call =
        field_bit(hf_call) | field_bit(hf_leg) | field_bit(hf_leg_kind) | field_bit(hf_hop);
    groups.made = true;
}

static bool protocol_referenced(void);

static void read_tree_mode(proto_tree *tree)
{
    if (!fields.filled)
        fields_fill();
    tree_mode.shown = cmsedge_tree_shown(tree);
    tree_mode.details = tree_mode.shown && cmsedge_prefs_row_details();
    tree_mode.hidden_unread = tree_mode.shown && cmsedge_hidden_unread();
    if (!groups.made)
        make_groups();
    tree_mode.asked = fields.n ? 0 : UINT64_MAX;
    if (!tree || !fields.n)
        return;
    tree_mode.asked = fields.asked;
    /* Wireshark marks the protocol too when a filter, a column or a postdissector's list
     * references one of its fields (proto_tree_prime_with_hfid): unmarked, none of them is,
     * and only -e asks. Spares reading some forty fields' records, each its own cache line,
     * on every frame. */
    if (!protocol_referenced())
        return;
    for (size_t i = 0; i < fields.n; i++) {
        if (fields.info[i]->ref_type != HF_REF_TYPE_NONE)
            tree_mode.asked |= UINT64_C(1) << i;
    }
}

/* Whether a filter, a column or -e asks for the field. */
static bool want_asked(proto_tree *tree, int hf)
{
    if (!tree)
        return false;
    size_t i = (size_t)(hf - fields.first);
    if (hf >= fields.first && i < fields.n)
        return (tree_mode.asked >> i) & 1;
    return proto_registrar_get_nth((guint)hf)->ref_type != HF_REF_TYPE_NONE ||
           cmsedge_asked_field(hf);
}

/* Whether to add an item. One that a display filter, a column or -e asks for always (Wireshark
 * marks its field referenced; cmsedge-asked.c knows the -e fields Wireshark 4.0 leaves
 * unmarked); otherwise only in a tree that is shown, and the row's constants there only with
 * the row_details preference: they are the same on every frame of a row, one lookup away
 * (README, tables/port-reference.tsv), and each item costs on every frame it is added to. */
static bool want(proto_tree *tree, int hf, bool detail)
{
    if (!tree)
        return false;
    if (tree_mode.shown && (!detail || tree_mode.details))
        return true;
    return want_asked(tree, hf);
}

/* Whether to add a hidden item beside a shown line that says the same (the destination role
 * beside the roles line, the other matching rules beside the best one): wherever hidden items
 * are read (filters, -e, the structured outputs, the GUI), but not in tshark's text, which
 * never prints them and would pay for each on every frame. */
static bool want_hidden(proto_tree *tree, int hf)
{
    return !tree_mode.hidden_unread || want_asked(tree, hf);
}

/* A label put together by concatenation. Wireshark formats a shown item's text with printf
 * when the item is added; the lines of a shown tree are added on every frame, and one "%s"
 * costs a fraction of the several conversions each line would otherwise ask for. Cut, as
 * Wireshark's own formatting would be, at the label's length. */
struct label {
    size_t n;
    char text[ITEM_LABEL_LENGTH];
};

static void label_start(struct label *l)
{
    l->n = 0;
    l->text[0] = '\0';
}

static void label_add(struct label *l, const char *s)
{
    size_t room = sizeof l->text - 1 - l->n, k = strlen(s);
    if (k > room)
        k = room;
    memcpy(l->text + l->n, s, k);
    l->n += k;
    l->text[l->n] = '\0';
}

static void label_add_uint(struct label *l, unsigned v)
{
    char digits[16];
    size_t i = sizeof digits - 1;
    digits[i] = '\0';
    do {
        digits[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    label_add(l, digits + i);
}

/* An item's whole label starts with its field's name, as Wireshark's own would: "Rule: ". A
 * label given whole (proto_tree_add_*_format) is printed once; one given as a value
 * (proto_tree_add_*_format_value) has Wireshark print the name in front first, a second
 * printf on every line. */
static void label_start_field(struct label *l, int hf)
{
    size_t i = (size_t)(hf - fields.first);
    label_start(l);
    label_add(l, hf >= fields.first && i < fields.n ? fields.info[i]->name
                                                    : proto_registrar_get_nth((guint)hf)->name);
    label_add(l, ": ");
}

/* " (NAME)" after a role, when the hosts table names the host */
static void label_add_name(struct label *l, const char *name)
{
    if (!name)
        return;
    label_add(l, " (");
    label_add(l, name);
    label_add(l, ")");
}

/* A string item that Wireshark marks as computed by cmsedge, when wanted. */
static proto_item *add_string(proto_tree *tree, int hf, tvbuff_t *tvb, const char *value,
                              bool detail)
{
    if (!want(tree, hf, detail))
        return NULL;
    proto_item *ti = proto_tree_add_string(tree, hf, tvb, 0, 0, value);
    proto_item_set_generated(ti);
    return ti;
}

static proto_item *add_uint(proto_tree *tree, int hf, tvbuff_t *tvb, guint32 value, bool detail)
{
    if (!want(tree, hf, detail))
        return NULL;
    proto_item *ti = proto_tree_add_uint(tree, hf, tvb, 0, 0, value);
    proto_item_set_generated(ti);
    return ti;
}

static proto_item *add_boolean(proto_tree *tree, int hf, tvbuff_t *tvb, bool value, bool detail)
{
    if (!want(tree, hf, detail))
        return NULL;
    proto_item *ti = proto_tree_add_boolean(tree, hf, tvb, 0, 0, value);
    proto_item_set_generated(ti);
    return ti;
}

/* pinfo's innermost addresses and ports as a core frame; false for anything but IPv4/IPv6
 * UDP or TCP. */
static bool frame_from_pinfo(packet_info *pinfo, struct cmsedge_frame *fr)
{
    memset(fr, 0, sizeof *fr);
    if (pinfo->ptype == PT_UDP)
        fr->transport = CMSEDGE_TRANSPORT_UDP;
    else if (pinfo->ptype == PT_TCP)
        fr->transport = CMSEDGE_TRANSPORT_TCP;
    else
        return false;
    if (pinfo->src.type == AT_IPv4 && pinfo->dst.type == AT_IPv4) {
        cmsedge_addr_from_ipv4(&fr->src, pinfo->src.data);
        cmsedge_addr_from_ipv4(&fr->dst, pinfo->dst.data);
    } else if (pinfo->src.type == AT_IPv6 && pinfo->dst.type == AT_IPv6) {
        cmsedge_addr_from_ipv6(&fr->src, pinfo->src.data);
        cmsedge_addr_from_ipv6(&fr->dst, pinfo->dst.data);
    } else {
        return false;
    }
    fr->sport = (uint16_t)pinfo->srcport;
    fr->dport = (uint16_t)pinfo->destport;
    return true;
}

static void add_evidence_frames(proto_tree *tree, tvbuff_t *tvb, const struct cmsedge_inferred *inf)
{
    for (unsigned k = 0; k < CMSEDGE_INFER_FLOWS; k++)
        add_uint(tree, hf_evidence_frame, tvb, inf->frames[k], false);
}

/* The frame that completed a host's evidence: the host, its role and why. */
static proto_item *add_inferred(proto_tree *tree, tvbuff_t *tvb, const struct cmsedge_inferred *inf,
                                enum cmsedge_role role)
{
    char addr[64];
    if (!want(tree, hf_inferred, false))
        return NULL;
    cmsedge_addr_format(&inf->addr, addr, sizeof addr);
    proto_item *ti =
        proto_tree_add_string_format_value(tree, hf_inferred, tvb, 0, 0, cmsedge_role_keyword(role),
                                           "%s is %s from the next frame on, from %s", addr,
                                           cmsedge_role_keyword(role), inf->evidence);
    proto_item_set_generated(ti);
    add_evidence_frames(proto_item_add_subtree(ti, ett_inferred), tvb, inf);
    return ti;
}

/* Both roles. A shown tree gives them one line, each with its host's name where the hosts
 * table has one ("Roles: expressway-c (lab-c) -> expressway-e (lab-e-private)"), the source
 * role's item carrying it and the destination's kept hidden for filters: one line where there
 * were four, each line of -V and of the details pane costing on every frame. */
static void add_roles(proto_tree *tree, tvbuff_t *tvb, enum cmsedge_role src, enum cmsedge_role dst,
                      const struct cmsedge_host_view *src_host,
                      const struct cmsedge_host_view *dst_host)
{
    const char *s = cmsedge_role_keyword(src), *d = cmsedge_role_keyword(dst);
    if (!tree || !tree_mode.shown || tree_mode.details) { /* the details name the hosts */
        add_string(tree, hf_src_role, tvb, s, false);
        add_string(tree, hf_dst_role, tvb, d, false);
        return;
    }
    struct label l;
    label_start(&l);
    label_add(&l, "Roles: ");
    label_add(&l, s);
    label_add_name(&l, src_host->name);
    label_add(&l, " -> ");
    label_add(&l, d);
    label_add_name(&l, dst_host->name);
    proto_item *ti = proto_tree_add_string_format(tree, hf_src_role, tvb, 0, 0, s, "%s", l.text);
    proto_item_set_generated(ti);
    if (!want_hidden(tree, hf_dst_role))
        return;
    ti = proto_tree_add_string(tree, hf_dst_role, tvb, 0, 0, d);
    proto_item_set_generated(ti);
    proto_item_set_hidden(ti);
}

/* A host's name (its own item among the details: the role's line shows it) and where its role
 * comes from: an inferred role always, with why; a configured or missing one among the
 * details. */
static void add_host(proto_tree *tree, tvbuff_t *tvb, int hf_name, int hf_origin,
                     const struct cmsedge_host_view *h)
{
    proto_item *ti;
    if (h->name)
        add_string(tree, hf_name, tvb, h->name, true);
    if (!h->inferred) {
        add_string(tree, hf_origin, tvb, origin_name(h->origin), true);
        return;
    }
    if (!want(tree, hf_origin, false))
        return;
    ti = proto_tree_add_string_format_value(tree, hf_origin, tvb, 0, 0, "inferred",
                                            "inferred (%s), from %s", cmsedge_role_keyword(h->role),
                                            h->inferred->evidence);
    proto_item_set_generated(ti);
    add_evidence_frames(proto_item_add_subtree(ti, ett_inferred), tvb, h->inferred);
}

/* A matching row's rule. A shown tree without the row details gives them one line, the best
 * row's with the others after it ("T2-06 (also T3-05)"), and keeps the others' items hidden:
 * filters and -e find every matching rule, the reader one line instead of several. */
static void add_rule(proto_tree *tree, tvbuff_t *tvb, const struct cmsedge_verdict *v, size_t i)
{
    const char *id = v->matches[i].row->id;
    if (!tree || !tree_mode.shown || tree_mode.details || v->n_matches < 2) {
        add_string(tree, hf_rule, tvb, id, false);
        return;
    }
    proto_item *ti;
    if (i == 0) {
        struct label l;
        label_start_field(&l, hf_rule);
        label_add(&l, id);
        label_add(&l, " (also ");
        for (size_t k = 1; k < v->n_matches; k++) {
            if (k > 1)
                label_add(&l, ", ");
            label_add(&l, v->matches[k].row->id);
        }
        label_add(&l, ")");
        ti = proto_tree_add_string_format(tree, hf_rule, tvb, 0, 0, id, "%s", l.text);
    } else if (want_hidden(tree, hf_rule)) {
        ti = proto_tree_add_string(tree, hf_rule, tvb, 0, 0, id);
        proto_item_set_hidden(ti);
    } else {
        return;
    }
    proto_item_set_generated(ti);
}

/* One matching row: its rule. With the row_details preference, a subtree per row with the
 * row's constants (table, scenario, protocol, documented ports, footnotes) and, for the best
 * match, direction and zone; each of these also whenever a filter or a column asks for it. */
static void add_match(proto_tree *tree, tvbuff_t *tvb, const struct cmsedge_verdict *v, size_t i)
{
    const struct cmsedge_match *m = &v->matches[i];
    const struct cmsedge_row *row = m->row;
    proto_tree *mt = tree;
    bool best = i == 0;

    if (tree && tree_mode.details) {
        proto_item *sub;
        mt = proto_tree_add_subtree(tree, tvb, 0, 0, ett_match, &sub, row_text(row)->title);
        if (m->zone)
            proto_item_append_text(sub, " (traversal zone %u)", m->zone);
        if (m->reverse)
            proto_item_append_text(sub, " (reply)");
    }
    add_rule(mt, tvb, v, i);
    add_uint(mt, hf_table, tvb, row->table, true);
    if (want(mt, hf_scenario, true)) {
        const struct cmsedge_scenario *sc = cmsedge_scenario(row->table);
        add_string(mt, hf_scenario, tvb, sc ? sc->title : "", true);
    }
    if (!best)
        return;
    add_boolean(mt, hf_reply, tvb, m->reverse, true);
    if (m->zone)
        add_uint(mt, hf_zone, tvb, m->zone, true);
    add_string(mt, hf_protocol, tvb, row->protocol, true);
    /* the documented ports, from the row's point of view (no appended text: that would make
     * Wireshark format the item's label on every frame) */
    if (want(mt, hf_src_ports, true))
        add_string(mt, hf_src_ports, tvb, row_text(row)->src_ports, true);
    if (want(mt, hf_dst_ports, true))
        add_string(mt, hf_dst_ports, tvb, row_text(row)->dst_ports, true);
    if (want(mt, hf_footnote, true)) {
        for (unsigned n = 1; row->footnotes >> n; n++) {
            if (row->footnotes & (1u << n))
                add_uint(mt, hf_footnote, tvb, n, true);
        }
    }
}

/* A footnote rule: the footnote in the reference's words under it. */
static void add_footnote_finding(proto_tree *tree, tvbuff_t *tvb, packet_info *pinfo,
                                 const struct cmsedge_finding *fd)
{
    proto_item *ti = proto_tree_add_string(tree, hf_finding, tvb, 0, 0, fd->text);
    proto_tree *ft = proto_item_add_subtree(ti, ett_finding);
    proto_item *fn;
    proto_item_set_generated(ti);
    fn = proto_tree_add_uint(ft, hf_footnote, tvb, 0, 0, fd->footnote);
    proto_item_set_generated(fn);
    add_string(ft, hf_footnote_text, tvb, cmsedge_footnote_text(fd->footnote), true);
    expert_add_info_format(
        pinfo, ti, fd->severity == CMSEDGE_WARNING ? &ei_footnote_warning : &ei_footnote_note, "%s",
        fd->text);
}

/* A per-flow check: its kind and the row it concerns under it. */
static void add_check(proto_tree *tree, tvbuff_t *tvb, packet_info *pinfo,
                      const struct cmsedge_finding *fd)
{
    proto_item *ti = proto_tree_add_string(tree, hf_check, tvb, 0, 0, fd->text);
    proto_tree *ct = proto_item_add_subtree(ti, ett_check);
    proto_item *sub;
    expert_field *ei;

    proto_item_set_generated(ti);
    sub = proto_tree_add_string(ct, hf_check_kind, tvb, 0, 0,
                                cmsedge_finding_keyword((enum cmsedge_finding_kind)fd->kind));
    proto_item_set_generated(sub);
    if (fd->row) {
        sub = proto_tree_add_string(ct, hf_check_rule, tvb, 0, 0, fd->row->id);
        proto_item_set_generated(sub);
    }
    if (fd->kind == CMSEDGE_FINDING_BLOCKED && fd->severity == CMSEDGE_WARNING)
        ei = &ei_blocked;
    else
        ei = fd->severity == CMSEDGE_WARNING ? &ei_check_warning : &ei_check_note;
    expert_add_info_format(pinfo, ti, ei, "%s", fd->text);
}

static void add_findings(proto_tree *tree, tvbuff_t *tvb, packet_info *pinfo,
                         const struct cmsedge_findings *list)
{
    for (size_t i = 0; i < list->n; i++) {
        if (list->items[i].kind == CMSEDGE_FINDING_FOOTNOTE)
            add_footnote_finding(tree, tvb, pinfo, &list->items[i]);
        else
            add_check(tree, tvb, pinfo, &list->items[i]);
    }
}

static void add_info_column(packet_info *pinfo, const struct cmsedge_annotation *a)
{
    if (a->purpose[0])
        col_append_fstr(pinfo->cinfo, COL_INFO, " [%s]", a->purpose);
    if (a->offspec_reason)
        col_append_fstr(pinfo->cinfo, COL_INFO, " [off-spec: %s]", a->offspec_reason);
}

/* Hands the frame to the "cmsedge" tap (the audit); nothing is built when no tap listens,
 * which is the usual case. */
static void queue_tap(packet_info *pinfo, const struct cmsedge_annotation *a,
                      const struct cmsedge_facts *facts)
{
    struct cmsedge_tap_record *rec;
    if (!have_tap_listener(cmsedge_tap))
        return;
    rec = wmem_new(pinfo->pool, struct cmsedge_tap_record);
    rec->annotation = a;
    rec->facts = facts;
    tap_queue_packet(cmsedge_tap, pinfo, rec);
}

static void add_offspec(proto_tree *ct, proto_item *top, tvbuff_t *tvb, packet_info *pinfo,
                        const struct cmsedge_annotation *a)
{
    const struct cmsedge_verdict *v = &a->verdict;
    add_boolean(ct, hf_offspec, tvb, true, false);
    if (a->offspec != CMSEDGE_OFFSPEC_NEAR_MISS)
        return;
    proto_item *p = add_string(ct, hf_reason, tvb, v->reason, false);
    expert_add_info_format(pinfo, p ? p : top, &ei_unmatched, "Off-spec: %s", v->reason);
    add_string(ct, hf_expected_rule, tvb, v->nearest->id, false);
    if (v->translated_source) {
        proto_item *e = add_boolean(ct, hf_translated, tvb, true, false);
        expert_add_info(pinfo, e ? e : top, &ei_translated);
    }
}

/* An ICMP error quoting a packet of a documented flow: only what the checks found. */
static void render_icmp_error(proto_tree *tree, tvbuff_t *tvb, packet_info *pinfo,
                              const struct cmsedge_annotation *a)
{
    const struct cmsedge_finding *first = &a->findings.items[0];
    proto_item *ti = proto_tree_add_item(tree, proto_cmsedge, tvb, 0, 0, ENC_NA);
    proto_tree *ct = proto_item_add_subtree(ti, ett_cmsedge);
    proto_item_set_generated(ti);
    proto_item_append_text(ti, ": ICMP error about %s",
                           first->row ? first->row->purpose : "a documented flow");
    if (a->offspec_reason) {
        proto_item *p = proto_tree_add_boolean(ct, hf_offspec, tvb, 0, 0, TRUE);
        proto_item_set_generated(p);
        proto_item_append_text(ti, " [off-spec]");
    }
    add_findings(ct, tvb, pinfo, &a->findings);
}

/* Whether a tree nobody shows (tshark printing -e fields alone) needs cmsedge's own item: when
 * a filter or -e names the protocol, or when the frame raises an expert info, which hangs
 * under it (so that _ws.expert finds it). Otherwise the wanted fields go straight into the
 * tree: where they sit is never seen, and the item would cost on every frame. */
static bool protocol_referenced(void)
{
    return proto_registrar_get_nth((guint)proto_cmsedge)->ref_type != HF_REF_TYPE_NONE;
}

/* Whether a filter, a column or -e names the protocol itself ("cmsedge"): naming one of its
 * fields marks the protocol too, but only indirectly. */
static bool protocol_named(void)
{
    hf_ref_type ref = proto_registrar_get_nth((guint)proto_cmsedge)->ref_type;
    return (ref != HF_REF_TYPE_NONE && ref != HF_REF_TYPE_INDIRECT) ||
           cmsedge_asked_field(proto_cmsedge);
}

static bool top_needed(const struct cmsedge_annotation *a)
{
    return tree_mode.shown || a->offspec_reason || a->findings.n || a->n_new_roles ||
           protocol_referenced();
}

/* The top item's label: what the frame is for, and whether it is off-spec; NULL when the
 * frame's tree is not shown and nothing needs the item. */
static proto_item *add_top(proto_tree *tree, tvbuff_t *tvb, const struct cmsedge_annotation *a,
                           const char *what)
{
    bool offspec = a->offspec_reason != NULL;
    proto_item *ti;
    if (!tree || !top_needed(a))
        return NULL;
    ti = proto_tree_add_item(tree, proto_cmsedge, tvb, 0, 0, ENC_NA);
    /* the protocol's own name, then what is appended: cheaper than formatting it whole (by
     * callgrind, a whole label through printf costs more than the name's fill and one
     * append); only where somebody reads the label */
    if (tree_mode.shown && what)
        proto_item_append_text(ti, ": %s%s", what, offspec ? " [off-spec]" : "");
    else if (tree_mode.shown && offspec)
        proto_item_append_text(ti, " [off-spec]");
    proto_item_set_generated(ti);
    return ti;
}

/* The tree: purpose, rule(s), roles and verdict on every frame; findings, inferred roles and
 * names where there are any; the row's constants with row_details (see want()). */
static proto_tree *render(proto_tree *tree, tvbuff_t *tvb, packet_info *pinfo,
                          const struct cmsedge_annotation *a)
{
    const struct cmsedge_verdict *v = &a->verdict;
    const char *what = a->purpose[0]        ? a->purpose
                       : a->service.service ? a->service.service->name
                                            : NULL;
    proto_item *ti = add_top(tree, tvb, a, what);
    proto_tree *ct = ti ? proto_item_add_subtree(ti, ett_cmsedge) : tree;
    proto_item *p;

    if (v->n_matches && want(ct, hf_purpose, false)) {
        /* one purpose, the best reading's; every matching row below it. Its value is the
         * row's words, its label says the zone too (formatted only then) */
        if (v->matches[0].zone && tree_mode.shown) {
            struct label l;
            label_start_field(&l, hf_purpose);
            label_add(&l, a->purpose);
            p = proto_tree_add_string_format(ct, hf_purpose, tvb, 0, 0, v->matches[0].row->purpose,
                                             "%s", l.text);
            proto_item_set_generated(p);
        } else {
            add_string(ct, hf_purpose, tvb, v->matches[0].row->purpose, false);
        }
    }
    if (group_wanted(ct, groups.match)) {
        for (size_t i = 0; i < v->n_matches; i++)
            add_match(ct, tvb, v, i);
    }
    if (group_wanted(ct, groups.roles)) {
        /* the roles the best row gives the hosts, else the hosts' own */
        enum cmsedge_role src =
            v->n_matches ? (enum cmsedge_role)v->matches[0].src_role : a->src.role;
        enum cmsedge_role dst =
            v->n_matches ? (enum cmsedge_role)v->matches[0].dst_role : a->dst.role;
        add_roles(ct, tvb, src, dst, &a->src, &a->dst);
    }
    if (a->service.service && group_wanted(ct, groups.service)) {
        add_string(ct, hf_service, tvb, a->service.service->name, false);
        add_string(ct, hf_service_id, tvb, a->service.service->id, true);
    }
    /* a shown tree without the row details names the hosts on the roles line: their own items
     * only where a role was inferred, or where asked for */
    if (group_wanted(ct, groups.hosts) &&
        (!tree_mode.shown || tree_mode.details || a->src.inferred || a->dst.inferred ||
         (tree_mode.asked & groups.hosts))) {
        add_host(ct, tvb, hf_src_host, hf_src_origin, &a->src);
        add_host(ct, tvb, hf_dst_host, hf_dst_origin, &a->dst);
    }
    if (want(ct, hf_payload, true))
        add_string(ct, hf_payload, tvb,
                   a->flow.hint == CMSEDGE_HINT_FOREIGN ? "foreign"
                   : a->flow.hint == CMSEDGE_HINT_NONE  ? "none"
                   : a->flow.hint == CMSEDGE_HINT_OTHER
                       ? "other"
                       : cmsedge_app_keyword((enum cmsedge_app)a->flow.hint),
                   true);
    add_boolean(ct, hf_judged, tvb, v->judged, true);
    if (a->offspec_reason)
        add_offspec(ct, ti, tvb, pinfo, a);
    add_findings(ct, tvb, pinfo, &a->findings);
    /* roles inferred on this frame: they apply from the next frame on */
    for (size_t i = 0; i < a->n_new_roles; i++) {
        const struct cmsedge_inferred *inf = a->new_roles[i];
        char addr[64];
        cmsedge_addr_format(&inf->addr, addr, sizeof addr);
        p = add_inferred(ct, tvb, inf, a->new_roles_as[i]);
        expert_add_info_format(pinfo, p ? p : ti, &ei_inferred, "Inferred role: %s is %s, from %s",
                               addr, cmsedge_role_keyword(a->new_roles_as[i]), inf->evidence);
    }
    return ct;
}

/* Whether anybody reads the calls: a shown tree, a filter, a column or -e naming the protocol
 * itself (a frame of an undocumented leg is cmsedge's by its call alone) or a call field, the
 * statistics and verdicts on the "cmsedge" tap (-z cmsedge,calls and cmsedge,firewall print the
 * call log), the calls' own tap, or a program that may ask later (tshark's second pass, the GUI,
 * sharkd: the calls are decided on the first pass). tshark in one pass asks for all of them as it
 * dissects each frame; printing -e cmsedge.purpose alone, or summary lines, it would otherwise
 * follow every call for nobody. */
static bool calls_read(proto_tree *tree)
{
    return !cmsedge_tshark_one_pass() || tree_mode.shown || group_wanted(tree, groups.call) ||
           protocol_named() || have_tap_listener(cmsedge_tap) ||
           have_tap_listener(cmsedge_calls_tap);
}

/* The call and leg a frame is part of (src/calls.c): decided on the first pass, in frame order,
 * and kept for later passes in the capture's call log (cmsedge-capture.c). The answer is a copy
 * in the packet's scope: the tap that counts calls reads it once the frame is dissected. */
static const struct cmsedge_call_ref *call_ref(packet_info *pinfo, const struct cmsedge_frame *fr,
                                               const struct cmsedge_annotation *a)
{
    struct cmsedge_frame_log *log = cmsedge_plugin_call_log();
    const struct cmsedge_call_ref *kept = cmsedge_frame_log_get(log, pinfo->num);
    struct cmsedge_call_ref ref;
    struct cmsedge_calls *calls;
    if (!kept && !PINFO_FD_VISITED(pinfo)) {
        calls = cmsedge_plugin_calls();
        if (!cmsedge_calls_feed(calls, fr, a, &ref))
            return NULL;
        cmsedge_frame_log_put(log, pinfo->num, &ref);
        kept = &ref;
    }
    return kept ? wmem_memdup(pinfo->pool, kept, sizeof *kept) : NULL;
}

/* The call, with the leg, its kind and its hop in the same line of a shown tree; their own
 * items among the details, and wherever a filter or -e asks for them. */
static void add_call(proto_tree *ct, tvbuff_t *tvb, const struct cmsedge_call_ref *ref)
{
    const char *kind = cmsedge_leg_kind_name(ref->kind);
    const char *hop = ref->hop != CMSEDGE_HOP_NONE ? cmsedge_hop_name(ref->hop) : NULL;
    if (ct && tree_mode.shown && ref->leg) {
        struct label l;
        label_start_field(&l, hf_call);
        label_add_uint(&l, ref->call);
        label_add(&l, ", leg ");
        label_add_uint(&l, ref->leg);
        label_add(&l, " (");
        label_add(&l, kind);
        if (hop) {
            label_add(&l, ", ");
            label_add(&l, hop);
        }
        label_add(&l, ")");
        proto_item *ti =
            proto_tree_add_uint_format(ct, hf_call, tvb, 0, 0, ref->call, "%s", l.text);
        proto_item_set_generated(ti);
    } else {
        add_uint(ct, hf_call, tvb, ref->call, false);
    }
    if (!ref->leg)
        return;
    add_uint(ct, hf_leg, tvb, ref->leg, true);
    add_string(ct, hf_leg_kind, tvb, kind, true);
    if (hop)
        add_string(ct, hf_hop, tvb, hop, true);
}

static int dissect_cmsedge(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    struct cmsedge_frame *fr = wmem_new(pinfo->pool, struct cmsedge_frame);
    struct cmsedge_annotation *a;
    struct cmsedge_layers layers;

    if (!frame_from_pinfo(pinfo, fr))
        return 0;
    read_tree_mode(tree);
    bool calls = calls_read(tree);
    cmsedge_layers_read(pinfo, proto_cmsedge, &layers);
    fr->hint = layers.hint;
    /* SIP only on the first pass: its one reader is the calls, which the first pass decides */
    struct cmsedge_sip_info *sip =
        calls && !PINFO_FD_VISITED(pinfo) && layers.hint == CMSEDGE_APP_SIP
            ? wmem_new(pinfo->pool, struct cmsedge_sip_info)
            : NULL;
    fr->sip = cmsedge_facts_read(tvb, pinfo, &layers, &fr->facts, sip) ? sip : NULL;
    if (layers.in_icmp && fr->facts.icmp == CMSEDGE_ICMP_NONE)
        return 0; /* the ports belong to a quoted packet this frame says nothing about */
    a = wmem_new(pinfo->pool, struct cmsedge_annotation);
    bool shown =
        cmsedge_capture_annotate(cmsedge_plugin_capture(), fr, !PINFO_FD_VISITED(pinfo), a);
    const struct cmsedge_call_ref *ref = calls ? call_ref(pinfo, fr, a) : NULL;
    if (!shown && !ref)
        return 0; /* nothing the reference speaks of */
    if (ref && have_tap_listener(cmsedge_calls_tap))
        tap_queue_packet(cmsedge_calls_tap, pinfo, ref);

    if (!shown) { /* a leg of a call that no row documents (a relay's peer, say) */
        proto_tree *ct = tree;
        if (tree && (tree_mode.shown || protocol_referenced())) {
            proto_item *ti = proto_tree_add_item(tree, proto_cmsedge, tvb, 0, 0, ENC_NA);
            proto_item_set_generated(ti);
            proto_item_append_text(ti, ": call %u", ref->call);
            ct = proto_item_add_subtree(ti, ett_cmsedge);
        }
        if (group_wanted(ct, groups.call))
            add_call(ct, tvb, ref);
        return tvb_captured_length(tvb);
    }
    if (cmsedge_prefs_info_column())
        add_info_column(pinfo, a);
    queue_tap(pinfo, a, &fr->facts);
    if (a->icmp_error) {
        render_icmp_error(tree, tvb, pinfo, a);
    } else {
        proto_tree *ct = render(tree, tvb, pinfo, a);
        if (ref && group_wanted(ct, groups.call))
            add_call(ct, tvb, ref);
    }
    return tvb_captured_length(tvb);
}

static void apply_prefs(void)
{
    cmsedge_prefs_apply();
}

void proto_register_cmsedge(void)
{
    static hf_register_info hf[] = {
        {&hf_purpose,
         {"Purpose", "cmsedge.purpose", FT_STRING, BASE_NONE, NULL, 0x0,
          "What the port reference says this flow is for: the best matching row's purpose", HFILL}},
        {&hf_table,
         {"Table", "cmsedge.table", FT_UINT8, BASE_DEC, NULL, 0x0,
          "Table of the port reference (1-4)", HFILL}},
        {&hf_scenario,
         {"Scenario", "cmsedge.scenario", FT_STRING, BASE_NONE, NULL, 0x0,
          "The deployment scenario the table documents", HFILL}},
        {&hf_rule,
         {"Rule", "cmsedge.rule", FT_STRING, BASE_NONE, NULL, 0x0,
          "Row id in the reference (T<table>-<row>), stable across releases", HFILL}},
        {&hf_reply,
         {"Reply direction", "cmsedge.reply", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
          "The frame travels from the row's destination to its source", HFILL}},
        {&hf_zone,
         {"Traversal zone", "cmsedge.zone", FT_UINT8, BASE_DEC, NULL, 0x0,
          "Traversal zone number the port stands for", HFILL}},
        {&hf_src_role,
         {"Source role", "cmsedge.src_role", FT_STRING, BASE_NONE, NULL, 0x0,
          "Role the frame's source plays", HFILL}},
        {&hf_dst_role,
         {"Destination role", "cmsedge.dst_role", FT_STRING, BASE_NONE, NULL, 0x0,
          "Role the frame's destination plays", HFILL}},
        {&hf_src_host,
         {"Source host", "cmsedge.src_host", FT_STRING, BASE_NONE, NULL, 0x0,
          "Name given to the source in cmsedge_hosts", HFILL}},
        {&hf_dst_host,
         {"Destination host", "cmsedge.dst_host", FT_STRING, BASE_NONE, NULL, 0x0,
          "Name given to the destination in cmsedge_hosts", HFILL}},
        {&hf_src_origin,
         {"Source role from", "cmsedge.src_role_origin", FT_STRING, BASE_NONE, NULL, 0x0,
          "configured, inferred or unconfigured", HFILL}},
        {&hf_dst_origin,
         {"Destination role from", "cmsedge.dst_role_origin", FT_STRING, BASE_NONE, NULL, 0x0,
          "configured, inferred or unconfigured", HFILL}},
        {&hf_protocol,
         {"Documented protocol", "cmsedge.protocol", FT_STRING, BASE_NONE, NULL, 0x0,
          "The reference's Protocol column for the row", HFILL}},
        {&hf_src_ports,
         {"Documented source ports", "cmsedge.src_ports", FT_STRING, BASE_NONE, NULL, 0x0,
          "Ports of the row's source end under the current settings", HFILL}},
        {&hf_dst_ports,
         {"Documented destination ports", "cmsedge.dst_ports", FT_STRING, BASE_NONE, NULL, 0x0,
          "Ports of the row's destination end under the current settings", HFILL}},
        {&hf_payload,
         {"Payload seen", "cmsedge.payload", FT_STRING, BASE_NONE, NULL, 0x0,
          "What the stock dissectors found in the payload", HFILL}},
        {&hf_judged,
         {"Judged", "cmsedge.judged", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
          "An edge host takes part, so the frame is checked against the reference", HFILL}},
        {&hf_offspec,
         {"Off-spec", "cmsedge.offspec", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
          "Present when the frame is not what the reference documents", HFILL}},
        {&hf_reason,
         {"Off-spec reason", "cmsedge.reason", FT_STRING, BASE_NONE, NULL, 0x0,
          "What the reference expected and what was seen", HFILL}},
        {&hf_expected_rule,
         {"Nearest documented rule", "cmsedge.expected_rule", FT_STRING, BASE_NONE, NULL, 0x0,
          "The row the off-spec frame comes closest to", HFILL}},
        {&hf_footnote,
         {"Footnote", "cmsedge.footnote", FT_UINT8, BASE_DEC, NULL, 0x0,
          "Footnote of the reference that applies", HFILL}},
        {&hf_footnote_text,
         {"Footnote text", "cmsedge.footnote_text", FT_STRING, BASE_NONE, NULL, 0x0,
          "The footnote in the reference's words", HFILL}},
        {&hf_finding,
         {"Footnote rule", "cmsedge.finding", FT_STRING, BASE_NONE, NULL, 0x0,
          "What a footnote of the reference says about this frame", HFILL}},
        {&hf_translated,
         {"Translated source port", "cmsedge.translated_source", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
          "Expressway-C to Expressway-E traffic from a source port Expressway-C does not use: "
          "a translating firewall between them?",
          HFILL}},
        {&hf_check,
         {"Flow check", "cmsedge.check", FT_STRING, BASE_NONE, NULL, 0x0,
          "What a per-flow check found (blocked, latching, TURN, idle relays, public TURN)",
          HFILL}},
        {&hf_check_kind,
         {"Check", "cmsedge.check_kind", FT_STRING, BASE_NONE, NULL, 0x0,
          "blocked, latching, turn, relays-idle or public-turn", HFILL}},
        {&hf_check_rule,
         {"Rule concerned", "cmsedge.check_rule", FT_STRING, BASE_NONE, NULL, 0x0,
          "Row of the reference the check concerns", HFILL}},
        {&hf_inferred,
         {"Inferred role", "cmsedge.inferred_role", FT_STRING, BASE_NONE, NULL, 0x0,
          "A host's role inferred from Expressway-specific flows, and the evidence", HFILL}},
        {&hf_evidence_frame,
         {"Evidence frame", "cmsedge.evidence_frame", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
          "First frame of a flow the inference rests on", HFILL}},
        {&hf_service,
         {"Service", "cmsedge.service", FT_STRING, BASE_NONE, NULL, 0x0,
          "Another service of an edge host that Cisco's guides document (tables/services.tsv); "
          "never off-spec",
          HFILL}},
        {&hf_service_id,
         {"Service row", "cmsedge.service_id", FT_STRING, BASE_NONE, NULL, 0x0,
          "Row id of the service in tables/services.tsv (S-<nn>)", HFILL}},
        {&hf_call,
         {"Call", "cmsedge.call", FT_UINT32, BASE_DEC, NULL, 0x0,
          "The web-app join (TURN allocations and their relays) or traversal call (SIP dialogs and "
          "media per hop) the frame is part of; "
          "tshark -z cmsedge,calls lists them",
          HFILL}},
        {&hf_leg,
         {"Leg", "cmsedge.leg", FT_UINT32, BASE_DEC, NULL, 0x0,
          "The leg of the call: one flow, counted per direction", HFILL}},
        {&hf_leg_kind,
         {"Leg kind", "cmsedge.leg_kind", FT_STRING, BASE_NONE, NULL, 0x0,
          "client-turn, relay-peer or relay-relay (web-app joins), sip or media (traversal calls)",
          HFILL}},
        {&hf_hop,
         {"Hop", "cmsedge.hop", FT_STRING, BASE_NONE, NULL, 0x0,
          "A traversal call's hop: endpoint-expressway-e, traversal-zone or "
          "expressway-c-meeting-server",
          HFILL}},
    };

    static gint *ett[] = {&ett_cmsedge, &ett_match, &ett_finding, &ett_check, &ett_inferred};
    static ei_register_info ei[] = {
        {&ei_unmatched,
         {"cmsedge.expert.unmatched", PI_PROTOCOL, PI_WARN,
          "Traffic of an edge host that the port reference does not document", EXPFILL}},
        {&ei_footnote_warning,
         {"cmsedge.expert.footnote_warning", PI_PROTOCOL, PI_WARN,
          "A footnote of the port reference is violated", EXPFILL}},
        {&ei_footnote_note,
         {"cmsedge.expert.footnote_note", PI_PROTOCOL, PI_NOTE,
          "A footnote of the port reference applies", EXPFILL}},
        {&ei_translated,
         {"cmsedge.expert.translated_source", PI_PROTOCOL, PI_WARN,
          "Expressway-C to Expressway-E from a source port outside Expressway-C's range: a "
          "translating firewall between them?",
          EXPFILL}},
        {&ei_blocked,
         {"cmsedge.expert.blocked", PI_SEQUENCE, PI_WARN,
          "A documented flow got no answer, a RST or an ICMP unreachable: blocked?", EXPFILL}},
        {&ei_check_warning,
         {"cmsedge.expert.flow_check", PI_SEQUENCE, PI_WARN,
          "A flow breaks what the reference implies (latching, TURN, idle relays)", EXPFILL}},
        {&ei_check_note,
         {"cmsedge.expert.flow_note", PI_SEQUENCE, PI_NOTE,
          "A flow the reference allows but discourages", EXPFILL}},
        {&ei_inferred,
         {"cmsedge.expert.inferred_role", PI_PROTOCOL, PI_NOTE,
          "A host's role was inferred from Expressway-specific flows", EXPFILL}},
    };

    proto_cmsedge = proto_register_protocol("Cisco Meeting Server Edge", "CMSEDGE", "cmsedge");
    proto_register_field_array(proto_cmsedge, hf, array_length(hf));
    fields_note(hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_register_field_array(expert_register_protocol(proto_cmsedge), ei, array_length(ei));

    module_t *module = prefs_register_protocol(proto_cmsedge, apply_prefs);
    cmsedge_prefs_register(module);
    cmsedge_ports_register(proto_cmsedge);

    cmsedge_handle = register_dissector("cmsedge", dissect_cmsedge, proto_cmsedge);
    cmsedge_tap = register_tap("cmsedge");
    cmsedge_calls_tap = register_tap("cmsedge_calls");
    cmsedge_capture_register();
}

void proto_reg_handoff_cmsedge(void)
{
    register_postdissector(cmsedge_handle);
    cmsedge_hint_init();
    cmsedge_ports_handoff();
    cmsedge_prefs_apply();
}
