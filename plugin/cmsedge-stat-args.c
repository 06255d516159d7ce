/* cmsedge-stat-args.c
 * The argument of the tshark -z statistics: -z cmsedge,NAME[,FORMAT][,FILTER], split the same
 * way for the audit, the firewall verdict and the calls.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "cmsedge-plugin.h"

#include <string.h>

bool cmsedge_stat_args(const char *opt_arg, const char *cli, char **format, const char **filter)
{
    const char *rest = opt_arg + strlen(cli);
    *format = NULL;
    *filter = NULL;
    if (*rest == '\0')
        return true;
    if (*rest != ',')
        return false;
    const char *word = rest + 1, *comma = strchr(word, ',');
    size_t len = comma ? (size_t)(comma - word) : strlen(word);
    bool letters = len > 0;
    for (size_t i = 0; i < len; i++)
        letters &= g_ascii_isalpha(word[i]) != 0;
    if (letters) {
        *format = g_strndup(word, len);
        *filter = comma ? comma + 1 : NULL;
    } else {
        *filter = word; /* no format given: the rest is a display filter */
    }
    return true;
}
