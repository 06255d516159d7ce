/* cmsedge-asked.c
 * The cmsedge fields tshark was asked to print with -e.
 *
 * The tree leaves out by default what is the same on every frame of a row (packet-cmsedge.c,
 * want()). A field a display filter or a column uses is marked referenced by Wireshark and is
 * always added; Wireshark 4.0's tshark does not mark the fields of -e (it builds the whole
 * tree instead; later releases mark them), so `-T fields -e cmsedge.zone` would print nothing
 * unless the plugin knows it was asked. It reads its own command line once (Linux /proc, as the
 * preference checks do) for -e arguments naming cmsedge fields. And when tshark prints -e fields
 * alone (-T fields, or -T json/ek with -e, and no -V, -O or -P), nothing else of the tree is
 * ever seen: the plugin then adds only what is asked for or referenced, as in a tree nobody
 * shows, although Wireshark 4.0 builds that tree visible. Nor does tshark's text (-V, -O, -P)
 * print hidden items (but with protocols.display_hidden_proto_items): there the plugin adds its
 * hidden ones only where a filter, a column or -e names their fields.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "cmsedge-plugin.h"

#include <string.h>

/* The header field ids asked for; a command line names a few at most. */
#define ASKED_MAX 64
static int asked[ASKED_MAX];
static size_t n_asked;
static bool read_done;
static bool any_e, details_printed; /* some -e was given; -V, -O or -P asks for the tree too */
/* tshark writing text (-T text, the default, or -T ps), which never prints a hidden item; the
 * structured outputs (-T pdml, json, jsonraw, ek) keep them, as do the GUI and sharkd */
static bool is_tshark, text_output = true;
/* -2: tshark's first pass builds no tree and primes neither -e fields nor columns, so it cannot
 * tell what the second will read */
static bool two_passes;

static void note_field(const char *name)
{
    if (strncmp(name, "cmsedge.", 8) != 0)
        return;
    int hf = proto_registrar_get_id_byname(name);
    if (hf < 0)
        return;
    if (n_asked < ASKED_MAX)
        asked[n_asked++] = hf;
}

static void read_command_line(void)
{
    char *all = NULL;
    gsize len = 0;
    read_done = true;
    if (!g_file_get_contents("/proc/self/cmdline", &all, &len, NULL))
        return;
    const char *program = strrchr(all, '/');
    is_tshark = len && strcmp(program ? program + 1 : all, "tshark") == 0;
    /* NUL-separated arguments: "-e" "NAME", or "-eNAME" as getopt also takes it; the same
     * for -T */
    for (gsize i = 0; i < len; i += strlen(all + i) + 1) {
        const char *arg = all + i;
        /* "-2", or a cluster of short options with it (a value such as "-c2" counts too: the
         * error is on the safe side) */
        if (arg[0] == '-' && arg[1] != '-' && strchr(arg + 1, '2'))
            two_passes = true;
        if (strncmp(arg, "-T", 2) == 0) {
            gsize next = i + strlen(arg) + 1;
            const char *format = arg[2] ? arg + 2 : next < len ? all + next : "";
            text_output = strcmp(format, "text") == 0 || strcmp(format, "ps") == 0;
        } else if (strcmp(arg, "-e") == 0) {
            gsize next = i + strlen(arg) + 1;
            any_e = true;
            if (next < len)
                note_field(all + next);
        } else if (strncmp(arg, "-e", 2) == 0) {
            any_e = true;
            note_field(arg + 2);
        } else if (strcmp(arg, "-V") == 0 || strncmp(arg, "-O", 2) == 0 || strcmp(arg, "-P") == 0) {
            details_printed = true;
        }
    }
    g_free(all);
}

bool cmsedge_asked_field(int hf)
{
    if (!read_done)
        read_command_line();
    for (size_t i = 0; i < n_asked; i++) {
        if (asked[i] == hf)
            return true;
    }
    return false;
}

bool cmsedge_asked_only(void)
{
    if (!read_done)
        read_command_line();
    return any_e && !details_printed;
}

bool cmsedge_tshark_one_pass(void)
{
    if (!read_done)
        read_command_line();
    return is_tshark && !two_passes;
}

bool cmsedge_hidden_unread(void)
{
    if (!read_done)
        read_command_line();
    return is_tshark && text_output && !prefs.display_hidden_proto_items;
}

bool cmsedge_tree_shown(proto_tree *tree)
{
    return tree && PTREE_DATA(tree)->visible && !cmsedge_asked_only();
}
