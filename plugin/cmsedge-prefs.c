/* cmsedge: preferences and the cmsedge_hosts UAT, turned into the core's settings and host map.
 *
 * Every deployment setting of the core has a preference named as in the README. Defaults come
 * from the generated table (cmsedge_settings_defaults), so no port number is written here.
 * A bad value is reported with report_failure() (a dialog in Wireshark, a line on stderr in
 * tshark) and the previous value stays in force.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "cmsedge-plugin.h"

#include <string.h>

#include <epan/uat.h>
#include <wsutil/filesystem.h>
#include <wsutil/report_message.h>

#include "compat.h"

static struct cmsedge_settings settings;
static unsigned settings_generation = 1; /* bumped whenever settings may have changed */
static struct cmsedge_hostmap *hosts;

/* preference variables, as Wireshark's prefs API wants them */
static const char *pref_size = "small";
static unsigned pref_zones = 1;
static cmsedge_pref_bool pref_demux = TRUE;
static range_t *pref_relay;
static range_t *pref_ms_media;
static unsigned pref_turn_tcp;
static unsigned pref_admin;
static cmsedge_pref_bool pref_mra = FALSE;
static const char *pref_version = "";
static cmsedge_pref_bool pref_info_column = TRUE;
static cmsedge_pref_bool pref_row_details = FALSE;
static cmsedge_pref_bool pref_infer_roles = TRUE;

/* ---- the cmsedge_hosts UAT: address or CIDR, role keyword, name ------------------------ */

typedef struct {
    char *address;
    char *role;
    char *name;
} host_rec_t;

static host_rec_t *host_recs;
static unsigned n_host_recs;

UAT_CSTRING_CB_DEF(cmsedge_hosts, address, host_rec_t)
UAT_CSTRING_CB_DEF(cmsedge_hosts, role, host_rec_t)
UAT_CSTRING_CB_DEF(cmsedge_hosts, name, host_rec_t)

static void *host_rec_copy(void *dest, const void *src, size_t len _U_)
{
    host_rec_t *d = dest;
    const host_rec_t *s = src;
    d->address = g_strdup(s->address);
    d->role = g_strdup(s->role);
    d->name = g_strdup(s->name);
    return d;
}

static void host_rec_free(void *r)
{
    host_rec_t *h = r;
    g_free(h->address);
    g_free(h->role);
    g_free(h->name);
}

/* Refuses a bad row with a message that says what is wrong and what would be right. */
static cmsedge_cb_bool host_rec_update(void *r, char **err)
{
    host_rec_t *h = r;
    char msg[256];

    if (!cmsedge_hosts_row_check(h->address, h->role, h->name, msg, sizeof msg)) {
        *err = g_strdup_printf("cmsedge_hosts: %s", msg);
        return FALSE;
    }
    *err = NULL;
    return TRUE;
}

/* ---- the hosts file, read by the plugin itself ------------------------------------------
 *
 * Wireshark 4.0's UAT loader stops at the first line it cannot take (a bad address, a header
 * line, unquoted fields), reports "Error loading table" without the line when the row check
 * refused it, and never calls post_update_cb, so the whole table was lost. The plugin reads
 * the file Wireshark reads (the profile's, else the global one) line by line, refuses each
 * bad line alone with the file, the line and the reason, and keeps every good row. */

struct file_row {
    char *address, *role, *name;
};
static GArray *file_rows;   /* struct file_row: good rows of a file the UAT could not load */
static char *reported_file; /* path and contents last reported on, so as to say it once */
static bool prefs_read;     /* false until Wireshark has read the preferences and tables */
static bool file_refused;   /* Wireshark's loader stopped in the file: its lines were reported */

static void file_rows_clear(void)
{
    if (!file_rows)
        file_rows = g_array_new(FALSE, FALSE, sizeof(struct file_row));
    for (unsigned i = 0; i < file_rows->len; i++) {
        struct file_row *fr = &g_array_index(file_rows, struct file_row, i);
        g_free(fr->address), g_free(fr->role), g_free(fr->name);
    }
    g_array_set_size(file_rows, 0);
}

static char *hosts_file_path(void)
{
    char *path = get_persconffile_path("cmsedge_hosts", TRUE);
    if (!file_exists(path)) {
        char *global = get_datafile_path("cmsedge_hosts");
        g_free(path);
        path = global;
        if (!file_exists(path)) {
            g_free(path);
            path = NULL;
        }
    }
    return path;
}

/* Reads the file; when some line is one Wireshark's loader refuses, keeps the good rows in
 * file_rows and reports each refused line (once per file contents). */
static void hosts_file_check(void)
{
    char *path = hosts_file_path(), *text = NULL;
    GString *problems = g_string_new(NULL);
    unsigned good = 0, refused = 0, lost_from = 0, line = 0;

    file_rows_clear();
    if (!path || !g_file_get_contents(path, &text, NULL, NULL)) {
        g_free(path);
        g_string_free(problems, TRUE);
        return;
    }
    char **lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++) {
        char fields[3][CMSEDGE_HOSTS_FIELD], msg[320];
        line++;
        if (!l[1] && **l == '\0')
            break; /* after the last newline */
        switch (cmsedge_hosts_line_parse(*l, fields, msg, sizeof msg)) {
        case CMSEDGE_HOSTS_LINE_BLANK:
            continue;
        case CMSEDGE_HOSTS_LINE_HEADER:
            g_string_append_printf(problems,
                                   "\n%s:%u: a header line (column names), skipped; remove it: "
                                   "Wireshark's own loader refuses it",
                                   path, line);
            lost_from = lost_from ? lost_from : line;
            continue;
        case CMSEDGE_HOSTS_LINE_BAD:
            g_string_append_printf(problems, "\n%s:%u: %s; this row is refused", path, line, msg);
            refused++;
            lost_from = lost_from ? lost_from : line;
            continue;
        case CMSEDGE_HOSTS_LINE_UNQUOTED:
            g_string_append_printf(problems,
                                   "\n%s:%u: fields without quotes (or no name), read anyway; "
                                   "write \"%s\",\"%s\",\"%s\": Wireshark's own loader refuses "
                                   "it",
                                   path, line, fields[0], fields[1], fields[2]);
            lost_from = lost_from ? lost_from : line;
            break;
        case CMSEDGE_HOSTS_LINE_ROW:
            break;
        }
        struct file_row fr = {g_strdup(fields[0]), g_strdup(fields[1]), g_strdup(fields[2])};
        g_array_append_val(file_rows, fr);
        good++;
    }
    g_strfreev(lines);
    file_refused = lost_from != 0;
    if (!lost_from)
        file_rows_clear(); /* Wireshark loaded it all: the UAT's rows are the table */
    char *seen = g_strconcat(path, "\n", text, NULL);
    if (lost_from && g_strcmp0(seen, reported_file) != 0)
        report_failure("cmsedge_hosts: Wireshark's table loader stopped at line %u of %s and "
                       "applied none of its rows (\"Error loading table\"); cmsedge read the "
                       "file itself: %u row(s) in force, %u refused:%s",
                       lost_from, path, good, refused, problems->str);
    g_free(reported_file);
    reported_file = seen;
    g_free(text);
    g_free(path);
    g_string_free(problems, TRUE);
}

static void hosts_rebuild(void)
{
    char msg[256];
    cmsedge_hostmap_clear(hosts);
    for (unsigned i = 0; i < n_host_recs; i++) {
        const host_rec_t *h = &host_recs[i];
        if (!cmsedge_hostmap_add_text(hosts, h->address, h->role, h->name,
                                      CMSEDGE_ORIGIN_CONFIGURED, msg, sizeof msg) &&
            !file_refused)
            report_failure("cmsedge_hosts row %u: %s", i + 1, msg); /* update_cb let it through */
    }
    for (unsigned i = 0; file_rows && i < file_rows->len; i++) {
        const struct file_row *fr = &g_array_index(file_rows, struct file_row, i);
        cmsedge_hostmap_add_text(hosts, fr->address, fr->role, fr->name, CMSEDGE_ORIGIN_CONFIGURED,
                                 msg, sizeof msg);
    }
}

static void hosts_post_update(void)
{
    if (prefs_read)
        hosts_file_check(); /* the table was edited and saved, or a profile was loaded */
    hosts_rebuild();
}

/* ---- settings -------------------------------------------------------------------------- */

static bool single_range(const char *name, const range_t *r, struct cmsedge_port_range *out)
{
    if (!r || r->nranges != 1 || r->ranges[0].low == 0) {
        report_failure("cmsedge.%s: give one port range, e.g. %u-%u; keeping %u-%u", name, out->lo,
                       out->hi, out->lo, out->hi);
        return false;
    }
    out->lo = (uint16_t)r->ranges[0].low;
    out->hi = (uint16_t)r->ranges[0].high;
    return true;
}

/* What Wireshark 4.0 takes from -o without a word (epan/prefs.c, set_pref): a UAT preference
 * is accepted and ignored (-o cmsedge.hosts:...), and a boolean is TRUE only for "true" in any
 * case, anything else silently FALSE. The plugin sees only the result, so it reads its own
 * command line (Linux /proc; elsewhere this check is skipped) and says so, once. */
static void command_line_check(void)
{
    static const char *const booleans[] = {"demux_ports", "mra", "info_column", "infer_roles",
                                           "row_details"};
    static bool checked;
    char *all = NULL;
    gsize len = 0;

    if (checked || !g_file_get_contents("/proc/self/cmdline", &all, &len, NULL))
        return;
    checked = true;
    for (gsize i = 0; i < len; i += strlen(all + i) + 1) {
        const char *arg = all + i, *opt = NULL;
        if (strcmp(arg, "-o") == 0 && i + 3 < len)
            opt = arg + 3;
        else if (strncmp(arg, "-o", 2) == 0 && arg[2])
            opt = arg + 2;
        if (!opt || strncmp(opt, "cmsedge.", 8) != 0)
            continue;
        const char *name = opt + 8, *colon = strchr(name, ':');
        if (!colon)
            continue;
        size_t n = (size_t)(colon - name);
        if (n == 5 && strncmp(name, "hosts", 5) == 0) {
            report_failure("-o cmsedge.hosts:...: Wireshark 4.0 ignores a table given as a "
                           "preference; give each row as -o 'uat:cmsedge_hosts:\"ADDRESS\","
                           "\"ROLE\",\"NAME\"'");
            continue;
        }
        for (size_t b = 0; b < G_N_ELEMENTS(booleans); b++) {
            if (strlen(booleans[b]) == n && strncmp(name, booleans[b], n) == 0 &&
                g_ascii_strcasecmp(colon + 1, "true") != 0 &&
                g_ascii_strcasecmp(colon + 1, "false") != 0)
                report_failure("cmsedge.%s: '%s' is not TRUE or FALSE; Wireshark 4.0 took it "
                               "as FALSE",
                               booleans[b], colon + 1);
        }
    }
    g_free(all);
}

/* Run by Wireshark for each capture file it opens and each redissection, after it has read
 * the preferences and the tables. */
static void hosts_init(void)
{
    prefs_read = true;
    hosts_file_check();
    hosts_rebuild();
    command_line_check();
}

bool cmsedge_prefs_apply(void)
{
    struct cmsedge_settings next = settings;
    bool ok = true;
    char msg[256];

    /* a string rather than an enum preference: Wireshark 4.0 silently ignores a bad enum
     * value given with -o, and a bad value deserves a message */
    if (!cmsedge_size_parse(pref_size, &next.size)) {
        report_failure("cmsedge.deployment_size: '%s' is not small, medium or large; keeping %s",
                       pref_size ? pref_size : "", cmsedge_size_keyword(settings.size));
        ok = false;
    }
    if (pref_zones < 1 || pref_zones > CMSEDGE_MAX_TRAVERSAL_ZONES) {
        report_failure("cmsedge.traversal_zones: %u is not 1-%u; keeping %u", pref_zones,
                       CMSEDGE_MAX_TRAVERSAL_ZONES, settings.traversal_zones);
        pref_zones = settings.traversal_zones;
        ok = false;
    }
    next.traversal_zones = pref_zones;
    next.demux_ports = pref_demux;
    ok &= single_range("relay_ports", pref_relay, &next.relay);
    ok &= single_range("meeting_server_media_ports", pref_ms_media, &next.ms_media);
    if (pref_turn_tcp > 65535 || pref_admin == 0 || pref_admin > 65535) {
        report_failure("cmsedge: turn_tcp_port must be 0-65535 and admin_port 1-65535; keeping "
                       "%u and %u",
                       settings.turn_tcp_port, settings.admin_port);
        pref_turn_tcp = settings.turn_tcp_port;
        pref_admin = settings.admin_port;
        ok = false;
    }
    next.turn_tcp_port = (uint16_t)pref_turn_tcp;
    next.admin_port = (uint16_t)pref_admin;
    next.mra = pref_mra;
    next.version = 0;
    if (pref_version && *pref_version &&
        !cmsedge_version_parse(pref_version, &next.version, msg, sizeof msg)) {
        report_failure("cmsedge.expressway_version: %s; treating the version as unknown", msg);
        ok = false;
    }
    settings = next;
    settings_generation++;
    cmsedge_ports_update(&settings);
    return ok;
}

const struct cmsedge_settings *cmsedge_settings(void)
{
    return &settings;
}

unsigned cmsedge_settings_generation(void)
{
    return settings_generation;
}

const struct cmsedge_hostmap *cmsedge_hosts(void)
{
    return hosts;
}

bool cmsedge_prefs_infer_roles(void)
{
    return pref_infer_roles;
}

bool cmsedge_prefs_info_column(void)
{
    return pref_info_column;
}

bool cmsedge_prefs_row_details(void)
{
    return pref_row_details;
}

void cmsedge_prefs_register(module_t *module)
{
    static uat_field_t host_fields[] = {
        UAT_FLD_CSTRING(cmsedge_hosts, address, "Address",
                        "IPv4 or IPv6 address, or a CIDR prefix such as 198.51.100.0/24"),
        UAT_FLD_CSTRING(cmsedge_hosts, role, "Role",
                        "expressway-e, expressway-e-public, expressway-e-private, expressway-c, "
                        "meeting-server, unified-cm, admin-pc, sip-endpoint, ms-client or "
                        "webapp-client"),
        UAT_FLD_CSTRING(cmsedge_hosts, name, "Name", "A name to show for the host (optional)"),
        UAT_END_FIELDS};
    char *text;

    cmsedge_settings_defaults(&settings);
    hosts = cmsedge_hostmap_new();
    pref_zones = settings.traversal_zones;
    pref_demux = settings.demux_ports;
    pref_turn_tcp = settings.turn_tcp_port;
    pref_admin = settings.admin_port;

    prefs_register_string_preference(module, "deployment_size", "Deployment size",
                                     "Expressway system size: small, medium or large. Small and "
                                     "Medium use one Assent demultiplexing pair, Large six pairs "
                                     "and more TURN ports",
                                     &pref_size);
    prefs_register_uint_preference(module, "traversal_zones", "Traversal zones",
                                   "Number of traversal zones: zone n listens on the first zone "
                                   "port plus n-1",
                                   10, &pref_zones);
    prefs_register_bool_preference(module, "demux_ports", "Use configured demultiplexing ports",
                                   "Small/Medium: Assent media on the configured demultiplexing "
                                   "pair instead of the first pair of the media range",
                                   &pref_demux);
    text = g_strdup_printf("%u-%u", settings.relay.lo, settings.relay.hi);
    range_convert_str(wmem_epan_scope(), &pref_relay, text, 65535);
    g_free(text);
    prefs_register_range_preference(module, "relay_ports", "TURN relay ports",
                                    "Expressway-E TURN relay port range (one range)", &pref_relay,
                                    65535);
    text = g_strdup_printf("%u-%u", settings.ms_media.lo, settings.ms_media.hi);
    range_convert_str(wmem_epan_scope(), &pref_ms_media, text, 65535);
    g_free(text);
    prefs_register_range_preference(
        module, "meeting_server_media_ports", "Meeting Server media ports",
        "Meeting Server media port range (one range)", &pref_ms_media, 65535);
    prefs_register_uint_preference(module, "turn_tcp_port", "TURN TCP override port",
                                   "TCP port the Expressway-E TURN server also listens on; 0 "
                                   "when none is configured",
                                   10, &pref_turn_tcp);
    prefs_register_uint_preference(module, "admin_port", "Web administration port",
                                   "Expressway-E web administration port", 10, &pref_admin);
    prefs_register_bool_preference(module, "mra", "Coexisting with MRA",
                                   "The deployment coexists with Mobile and Remote Access",
                                   &pref_mra);
    prefs_register_string_preference(module, "expressway_version", "Expressway version",
                                     "Expressway release, e.g. X12.5.3; empty when unknown "
                                     "(footnotes 4 and 5 depend on it)",
                                     &pref_version);
    prefs_register_bool_preference(module, "info_column", "Purpose in the Info column",
                                   "Append the purpose (and off-spec verdicts) to the Info "
                                   "column",
                                   &pref_info_column);
    prefs_register_bool_preference(module, "row_details", "Row details in the tree",
                                   "Show under each matching row its table, scenario, documented "
                                   "protocol and ports, footnotes, direction and zone, and the "
                                   "payload seen and role origins: the same on every frame of a "
                                   "row, so off by default (a filter or column on any of these "
                                   "fields works either way)",
                                   &pref_row_details);
    prefs_register_bool_preference(module, "infer_roles", "Infer host roles",
                                   "Give hosts missing from the host roles table the role that "
                                   "Expressway-specific flows show (two distinct flows must "
                                   "agree); configured roles always win",
                                   &pref_infer_roles);

    register_init_routine(hosts_init);
    uat_t *uat = uat_new("cmsedge_hosts", sizeof(host_rec_t), "cmsedge_hosts", TRUE, &host_recs,
                         &n_host_recs, UAT_AFFECTS_DISSECTION, NULL, host_rec_copy, host_rec_update,
                         host_rec_free, hosts_post_update, NULL, host_fields);
    prefs_register_uat_preference(module, "hosts", "Host roles",
                                  "Which address plays which role in the deployment", uat);
}
