/* cmsedge: the few Wireshark API differences between 4.0 and 4.4/4.6.
 *
 * CMake probes each difference against the headers it builds with (plugin/CMakeLists.txt), so
 * this file holds no version numbers.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef CMSEDGE_COMPAT_H
#define CMSEDGE_COMPAT_H

#include <stdbool.h>
#include <stdlib.h>

#include <epan/packet.h>

/* Heuristic dissectors and UAT callbacks return gboolean in 4.0 and bool from 4.4. */
#ifdef CMSEDGE_HAVE_BOOL_CALLBACKS
typedef bool cmsedge_cb_bool;
#else
typedef gboolean cmsedge_cb_bool;
#endif

/* Boolean preferences point at gboolean in 4.0 and at bool from 4.4: their sizes differ. */
#ifdef CMSEDGE_HAVE_BOOL_PREFS
typedef bool cmsedge_pref_bool;
#else
typedef gboolean cmsedge_pref_bool;
#endif

/* A tshark -z statistic's init callback returns nothing in 4.0 and whether it started in
 * later releases. */
#ifdef CMSEDGE_HAVE_BOOL_STAT_TAP_INIT
typedef bool cmsedge_stat_init_ret;
#define CMSEDGE_STAT_INIT_OK()   return true
#define CMSEDGE_STAT_INIT_FAIL() return false
#else
typedef void cmsedge_stat_init_ret;
#define CMSEDGE_STAT_INIT_OK()   return
#define CMSEDGE_STAT_INIT_FAIL() exit(1) /* as tshark's own statistics do in 4.0 */
#endif

#endif
