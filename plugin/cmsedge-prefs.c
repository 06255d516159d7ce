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
    struct cmsedge_prefix p;
    enum cmsedge_role role;
    char msg[256];

    if (!cmsedge_prefix_parse(h->address, &p, msg, sizeof msg)) {
        *err = g_strdup_printf("cmsedge_hosts: %s", msg);
        return FALSE;
    }
    if (!cmsedge_role_parse(h->role, &role)) {
        *err = g_strdup_printf("cmsedge_hosts: '%s': unknown role; expected one of %s",
                               h->role ? h->role : "", cmsedge_role_keywords());
        return FALSE;
    }
    if (h->name && strlen(h->name) >= sizeof(((struct cmsedge_host *)0)->name)) {
        *err = g_strdup_printf("cmsedge_hosts: name '%s' is longer than %zu characters", h->name,
                               sizeof(((struct cmsedge_host *)0)->name) - 1);
        return FALSE;
    }
    *err = NULL;
    return TRUE;
}

static void hosts_rebuild(void)
{
    char msg[256];
    cmsedge_hostmap_clear(hosts);
    for (unsigned i = 0; i < n_host_recs; i++) {
        const host_rec_t *h = &host_recs[i];
        if (!cmsedge_hostmap_add_text(hosts, h->address, h->role, h->name,
                                      CMSEDGE_ORIGIN_CONFIGURED, msg, sizeof msg))
            report_failure("cmsedge_hosts row %u: %s", i + 1, msg); /* update_cb let it through */
    }
}

static void hosts_post_update(void)
{
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
    prefs_register_bool_preference(module, "infer_roles", "Infer host roles",
                                   "Give hosts missing from the host roles table the role that "
                                   "Expressway-specific flows show (two distinct flows must "
                                   "agree); configured roles always win",
                                   &pref_infer_roles);

    uat_t *uat = uat_new("cmsedge_hosts", sizeof(host_rec_t), "cmsedge_hosts", TRUE, &host_recs,
                         &n_host_recs, UAT_AFFECTS_DISSECTION, NULL, host_rec_copy, host_rec_update,
                         host_rec_free, hosts_post_update, NULL, host_fields);
    prefs_register_uat_preference(module, "hosts", "Host roles",
                                  "Which address plays which role in the deployment", uat);
}
