/* cmsedge core micro-benchmark: frames per second through cmsedge_capture_annotate(), the one
 * per-frame entry point, and through the call log (cmsedge_calls_feed), with no tshark and no
 * test framework.
 *
 *   cmsedge_core_bench [--seconds S] [--case all|rows|hosts|flows|calls] [--tsv]
 *
 * Cases, each a pair of variants over the same frames:
 *   rows   the reference's rows against ten copies of them (cmsedge_core_bench_x10, the same
 *          source linked with a core generated from tests/bench/replicate_rows.py's table; this
 *          program runs it when it sits beside it), on an edge mix among 10 configured hosts;
 *   hosts  10 configured hosts against 100,000 (the same 10 and 99,990 more), same mix;
 *   flows  Assent media between configured endpoints and Expressway-E over 10 distinct flows
 *          against 100,000 (each flow forward and back, so every flow keeps latching state);
 *   calls  the call log the plugin feeds every frame of the first pass (cmsedge_calls_feed):
 *          TURN traffic of 10 web-app clients against 4,000, each with its allocation at
 *          Expressway-E (each client's ChannelData to the TURN server and back: client-turn
 *          legs; the annotation is the one the call log reads, made by hand, not the core's).
 * Each variant runs three rounds of S/3 CPU seconds (this thread's, so that time other work on
 * the machine takes is not counted) after a warm-up pass, and the best round counts; the two
 * variants of the hosts, flows and calls cases alternate their rounds. Prints a Markdown table, or
 * with --tsv one line per variant: case, variant, frames per second.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmsedge/calls.h"
#include "cmsedge/capture.h"
#include "cmsedge/reference.h"

#define ROUNDS     3
#define MIX_FRAMES 4096
#define MANY       100000u
#define CLIENTS    4000u /* below the 4,096 allocations the call log follows */
#define TURN_PORT  3478

struct host {
    const char *addr, *role;
};

/* The edge the mix runs on: ten configured hosts. */
static const struct host edge[] = {
    {"203.0.113.10", "expressway-e-public"},
    {"192.0.2.10", "expressway-e-private"},
    {"192.0.2.20", "expressway-c"},
    {"192.0.2.30", "meeting-server"},
    {"192.0.2.31", "meeting-server"},
    {"192.0.2.40", "unified-cm"},
    {"192.0.2.50", "admin-pc"},
    {"198.51.100.21", "sip-endpoint"},
    {"198.51.100.31", "webapp-client"},
    {"198.51.100.41", "ms-client"},
};
enum {
    E_PUB,
    E_PRIV,
    EXP_C,
    CMS,
    CMS2,
    UCM,
    ADMIN,
    ENDPOINT,
    GUEST,
    MSCLIENT,
    STRANGER_A,
    STRANGER_B,
    N_ADDRS
};

/* One kind of frame of the mix, and how many of every 100 frames are of that kind. */
struct kind {
    unsigned weight, transport;
    int src, dst; /* index into addrs */
    uint16_t sport, dport;
    int hint;
    uint8_t tcp_flags;
};

#define UDP CMSEDGE_TRANSPORT_UDP
#define TCP CMSEDGE_TRANSPORT_TCP
#define PA  (CMSEDGE_TCP_ACK | 0x08u)

/* Mostly media, as at an edge under load; then signalling, TURN, a near miss, and traffic of
 * hosts nobody configured (sport/dport 0: drawn at random). */
static const struct kind mix_kinds[] = {
    {14, UDP, EXP_C, E_PRIV, 36002, 2776, CMSEDGE_APP_RTP, 0}, /* Assent RTP to demux port */
    {14, UDP, E_PRIV, EXP_C, 2776, 36002, CMSEDGE_APP_RTP, 0},
    {2, UDP, EXP_C, E_PRIV, 36003, 2777, CMSEDGE_APP_RTCP, 0},
    {12, UDP, ENDPOINT, E_PUB, 40000, 36100, CMSEDGE_APP_RTP, 0}, /* endpoint media, latched */
    {12, UDP, E_PUB, ENDPOINT, 36100, 40000, CMSEDGE_APP_RTP, 0},
    {10, UDP, CMS, E_PRIV, 50000, 24000, CMSEDGE_APP_RTP, 0}, /* TURN media via the relays */
    {10, UDP, E_PUB, GUEST, 25000, 45000, CMSEDGE_APP_RTP, 0},
    {4, UDP, GUEST, E_PUB, 45000, 3478, CMSEDGE_APP_TURN_DATA, 0}, /* tunneled media */
    {2, UDP, GUEST, E_PUB, 50001, 3478, CMSEDGE_APP_STUN, 0},
    {2, TCP, GUEST, E_PUB, 50000, 443, CMSEDGE_APP_TLS, PA}, /* web app signalling */
    {2, TCP, E_PUB, GUEST, 443, 50000, CMSEDGE_APP_TLS, PA},
    {2, TCP, EXP_C, E_PRIV, 25001, 7001, CMSEDGE_APP_TLS, PA}, /* traversal zone */
    {1, TCP, EXP_C, E_PRIV, 30001, 2222, CMSEDGE_APP_SSH, PA},
    {1, TCP, EXP_C, CMS2, 25003, 5061, CMSEDGE_APP_TLS, PA},
    {1, TCP, EXP_C, UCM, 25004, 5060, CMSEDGE_APP_SIP, PA},
    {1, TCP, MSCLIENT, E_PUB, 41000, 5061, CMSEDGE_APP_TLS, PA},
    {1, TCP, ADMIN, E_PRIV, 50002, 8443, CMSEDGE_APP_TLS, PA},
    {1, TCP, EXP_C, E_PRIV, 25005, 7002, CMSEDGE_APP_SIP, PA},    /* near miss: second zone */
    {2, UDP, E_PRIV, STRANGER_B, 0, 53, CMSEDGE_HINT_FOREIGN, 0}, /* DNS, a service */
    {2, TCP, STRANGER_A, STRANGER_B, 40100, 80, CMSEDGE_APP_HTTP, PA},
    {4, UDP, STRANGER_A, STRANGER_B, 0, 0, CMSEDGE_HINT_OTHER, 0},
};

static struct cmsedge_addr addrs[N_ADDRS];

static struct cmsedge_addr ipv4(unsigned a, unsigned b, unsigned c, unsigned d)
{
    struct cmsedge_addr out;
    const uint8_t bytes[4] = {(uint8_t)a, (uint8_t)b, (uint8_t)c, (uint8_t)d};
    cmsedge_addr_from_ipv4(&out, bytes);
    return out;
}

static void add_host(struct cmsedge_hostmap *map, const char *addr, const char *role)
{
    char err[160];
    if (!cmsedge_hostmap_add_text(map, addr, role, "", CMSEDGE_ORIGIN_CONFIGURED, err,
                                  sizeof err)) {
        fprintf(stderr, "core_bench: %s\n", err);
        exit(2);
    }
}

static uint32_t rng_state = 1;

static uint32_t rng(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return rng_state >> 8;
}

static uint16_t high_port(void)
{
    return (uint16_t)(1024 + rng() % 64000);
}

/* MIX_FRAMES frames drawn from mix_kinds by weight, the same every run. */
static struct cmsedge_frame *make_mix(void)
{
    unsigned total = 0;
    for (size_t k = 0; k < sizeof mix_kinds / sizeof mix_kinds[0]; k++)
        total += mix_kinds[k].weight;
    struct cmsedge_frame *frames = calloc(MIX_FRAMES, sizeof *frames);
    if (!frames)
        exit(2);
    rng_state = 1;
    for (size_t i = 0; i < MIX_FRAMES; i++) {
        unsigned pick = rng() % total;
        size_t k = 0;
        while (pick >= mix_kinds[k].weight)
            pick -= mix_kinds[k++].weight;
        const struct kind *kd = &mix_kinds[k];
        struct cmsedge_frame *fr = &frames[i];
        fr->transport = kd->transport;
        fr->src = addrs[kd->src], fr->dst = addrs[kd->dst];
        fr->sport = kd->sport ? kd->sport : high_port();
        fr->dport = kd->dport ? kd->dport : high_port();
        fr->hint = kd->hint;
        fr->facts.length = 200;
        fr->facts.tcp_flags = kd->tcp_flags;
    }
    return frames;
}

/* Frame i of the flows case: flow i/2 of n, forward on even i, its answer on odd i. An
 * endpoint in 10.0.0.0/8 sends Assent media to an Expressway-E media port; Expressway-E
 * answers from that port to the port the media came from (latching). Made on the fly, as the
 * plugin makes each frame's struct from the packet, so that n does not change what reading
 * the frame costs. */
static void flow_frame(uint64_t i, uint32_t n, struct cmsedge_frame *fr)
{
    uint32_t f = (uint32_t)((i / 2) % n);
    struct cmsedge_addr endpoint = ipv4(10, (f >> 16) & 0xFF, (f >> 8) & 0xFF, f & 0xFF);
    uint16_t ep_port = (uint16_t)(20000 + f % 40000), e_port = (uint16_t)(36000 + 2 * (f % 12000));
    fr->transport = UDP;
    fr->hint = CMSEDGE_APP_RTP;
    fr->facts.length = 200;
    if (i % 2 == 0) {
        fr->src = endpoint, fr->dst = addrs[E_PUB];
        fr->sport = ep_port, fr->dport = e_port;
    } else {
        fr->src = addrs[E_PUB], fr->dst = endpoint;
        fr->sport = e_port, fr->dport = ep_port;
    }
}

/* Frame i of the calls case: client i/2 of n, a web app in 100.64.0.0/10, sends TURN to
 * Expressway-E's TURN port on even i, and gets its answer on odd i. */
static void client_frame(uint64_t i, uint32_t n, struct cmsedge_frame *fr,
                         struct cmsedge_annotation *a)
{
    uint32_t f = (uint32_t)((i / 2) % n);
    struct cmsedge_addr client = ipv4(100, 64 + ((f >> 16) & 0x3F), (f >> 8) & 0xFF, f & 0xFF);
    uint16_t port = (uint16_t)(40000 + f % 20000);
    fr->transport = UDP;
    fr->facts.length = 200;
    a->traffic = true;
    if (i % 2 == 0) {
        fr->src = client, fr->dst = addrs[E_PUB];
        fr->sport = port, fr->dport = TURN_PORT;
        a->src.role = CMSEDGE_ROLE_NONE, a->dst.role = CMSEDGE_ROLE_EXPRESSWAY_E_PUBLIC;
    } else {
        fr->src = addrs[E_PUB], fr->dst = client;
        fr->sport = TURN_PORT, fr->dport = port;
        a->src.role = CMSEDGE_ROLE_EXPRESSWAY_E_PUBLIC, a->dst.role = CMSEDGE_ROLE_NONE;
    }
}

struct run {
    struct cmsedge_settings s;
    struct cmsedge_hostmap *hosts;
    struct cmsedge_capture *c;
    uint32_t frame;                  /* the last frame number given */
    const struct cmsedge_frame *mix; /* the mix, or NULL for the flows and calls cases */
    uint32_t flows;
    struct cmsedge_calls *calls; /* the calls case: the call log, fed instead of the core */
    uint32_t clients;
    unsigned long shown; /* kept, so that no call can be left out */
    double best;         /* frames per second, the best round so far */
};

/* CPU seconds of this thread: what other work on a shared machine takes from the wall clock
 * is not counted. */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void annotate(struct run *r, uint64_t n)
{
    struct cmsedge_annotation a;
    struct cmsedge_frame fr;
    struct cmsedge_call_ref ref;
    memset(&fr, 0, sizeof fr);
    memset(&a, 0, sizeof a);
    for (uint64_t i = 0; i < n; i++) {
        uint32_t num = ++r->frame;
        if (r->calls) { /* ChannelData: the client's TURN leg, counted */
            client_frame(num - 1, r->clients, &fr, &a);
            fr.facts.frame = num;
            cmsedge_calls_feed(r->calls, &fr, &a, &ref);
            r->shown += ref.leg != 0;
            continue;
        }
        if (r->mix)
            fr = r->mix[num % MIX_FRAMES];
        else
            flow_frame(num - 1, r->flows, &fr);
        fr.facts.frame = num;
        r->shown += cmsedge_capture_annotate(r->c, &fr, true, &a);
    }
}

/* A warm-up pass: every frame of the mix, every flow or every client, seen once. */
static void warm_up(struct run *r)
{
    annotate(r, r->mix ? MIX_FRAMES : r->calls ? 2ull * r->clients : 2ull * r->flows);
}

/* One round of `seconds`; keeps the best frames per second in r->best. */
static void round_of(struct run *r, double seconds)
{
    uint64_t done = 0;
    double start = cpu_now(), elapsed;
    do {
        annotate(r, 1024);
        done += 1024;
        elapsed = cpu_now() - start;
    } while (elapsed < seconds);
    if ((double)done / elapsed > r->best)
        r->best = (double)done / elapsed;
}

/* Frames per second of each run (one or two): ROUNDS rounds each after a warm-up, the runs'
 * rounds alternating so that both see the same machine. */
static void measure(struct run *a, struct run *b, double seconds)
{
    warm_up(a);
    if (b)
        warm_up(b);
    for (int round = 0; round < ROUNDS; round++) {
        round_of(a, seconds / ROUNDS);
        if (b)
            round_of(b, seconds / ROUNDS);
    }
}

static void run_open(struct run *r)
{
    memset(r, 0, sizeof *r);
    cmsedge_settings_defaults(&r->s);
    r->hosts = cmsedge_hostmap_new();
    r->c = cmsedge_capture_new();
    cmsedge_capture_configure(r->c, &r->s, r->hosts, true); /* the plugin's default */
}

static void run_close(struct run *r)
{
    cmsedge_calls_free(r->calls);
    cmsedge_capture_free(r->c);
    cmsedge_hostmap_free(r->hosts);
}

/* The mix among the ten edge hosts, with `extra` more hosts configured (100.64.0.0/10). */
static void mix_run(struct run *r, const struct cmsedge_frame *mix, unsigned extra)
{
    static const char *const roles[] = {"sip-endpoint", "ms-client", "meeting-server",
                                        "webapp-client"};
    char addr[32];
    run_open(r);
    for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++)
        add_host(r->hosts, edge[i].addr, edge[i].role);
    for (unsigned i = 0; i < extra; i++) {
        snprintf(addr, sizeof addr, "100.%u.%u.%u", 64 + ((i >> 16) & 0x3F), (i >> 8) & 0xFF,
                 i & 0xFF);
        add_host(r->hosts, addr, roles[i % 4]);
    }
    r->mix = mix;
}

/* Assent media over `flows` distinct flows. */
static void flows_run(struct run *r, uint32_t flows)
{
    run_open(r);
    add_host(r->hosts, edge[E_PUB].addr, edge[E_PUB].role);
    add_host(r->hosts, "10.0.0.0/8", "sip-endpoint");
    r->flows = flows;
}

/* The call log with `clients` TURN clients, each allocated a relayed address (Allocate
 * request and success) before the rounds start. */
static void calls_run(struct run *r, uint32_t clients)
{
    run_open(r);
    r->calls = cmsedge_calls_new();
    r->clients = clients;
    if (!r->calls)
        exit(2);
    for (uint32_t f = 0; f < clients; f++) {
        struct cmsedge_frame fr;
        struct cmsedge_annotation a;
        struct cmsedge_call_ref ref;
        for (int answer = 0; answer < 2; answer++) {
            memset(&fr, 0, sizeof fr);
            memset(&a, 0, sizeof a);
            client_frame(2ull * f + (uint64_t)answer, clients, &fr, &a);
            fr.facts.frame = ++r->frame;
            fr.facts.stun_type =
                answer ? CMSEDGE_STUN_ALLOCATE_SUCCESS : CMSEDGE_STUN_ALLOCATE_REQUEST;
            if (answer) {
                fr.facts.has_relayed = true;
                fr.facts.relayed_addr = addrs[E_PUB];
                /* in the relay range of the settings, as Expressway-E would allocate */
                fr.facts.relayed_port =
                    (uint16_t)(r->s.relay.lo + f % (r->s.relay.hi - r->s.relay.lo + 1u));
            }
            cmsedge_calls_feed(r->calls, &fr, &a, &ref);
        }
    }
}

struct result {
    const char *kase;
    char variant[48];
    double fps;      /* 0: not measured */
    const char *why; /* when not measured */
};

#define MAX_RESULTS 10
static struct result results[MAX_RESULTS];
static size_t n_results;

static void record(const char *kase, const char *variant, double fps, const char *why)
{
    if (n_results == MAX_RESULTS)
        return;
    struct result *res = &results[n_results++];
    res->kase = kase;
    snprintf(res->variant, sizeof res->variant, "%s", variant);
    res->fps = fps;
    res->why = why;
}

#ifdef CMSEDGE_BENCH_LARGER
/* The rows case of the larger reference: the sibling program's --tsv line. */
static void larger_rows(double seconds)
{
    char self[4096], path[4200], cmd[4300], line[256];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    char *slash = NULL;
    if (len > 0) {
        self[len] = '\0';
        slash = strrchr(self, '/');
    }
    if (!slash) {
        record("rows", "10x rows", 0, "cannot find this program's folder");
        return;
    }
    *slash = '\0';
    snprintf(path, sizeof path, "%s/%s", self, CMSEDGE_BENCH_LARGER);
    snprintf(cmd, sizeof cmd, "'%s' --case rows --tsv --seconds %g", path, seconds);
    if (access(path, X_OK) != 0) {
        record("rows", "10x rows", 0,
               "not built: cmake --build BUILD --target " CMSEDGE_BENCH_LARGER);
        return;
    }
    FILE *p = popen(cmd, "r");
    char variant[48];
    double fps = 0;
    while (p && fgets(line, sizeof line, p)) {
        if (sscanf(line, "rows\t%47[^\t]\t%lf", variant, &fps) == 2)
            record("rows", variant, fps, NULL);
    }
    if (!p || pclose(p) != 0 || fps == 0)
        record("rows", "10x rows", 0, CMSEDGE_BENCH_LARGER " failed");
}
#endif

static void usage(void)
{
    fprintf(stderr, "usage: cmsedge_core_bench [--seconds S] "
                    "[--case all|rows|hosts|flows|calls] [--tsv]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    double seconds = 0.3;
    const char *kase = "all";
    int tsv = 0;
    char variant[48];
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
            seconds = atof(argv[++i]);
        else if (strcmp(argv[i], "--case") == 0 && i + 1 < argc)
            kase = argv[++i];
        else if (strcmp(argv[i], "--tsv") == 0)
            tsv = 1;
        else
            usage();
    }
    if (seconds <= 0)
        usage();
    for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++) {
        struct cmsedge_prefix p;
        char err[160];
        cmsedge_prefix_parse(edge[i].addr, &p, err, sizeof err);
        addrs[i] = p.addr;
    }
    addrs[STRANGER_A] = ipv4(198, 18, 0, 1);
    addrs[STRANGER_B] = ipv4(198, 18, 0, 2);
    struct cmsedge_frame *mix = make_mix();
    int all = strcmp(kase, "all") == 0;

    struct run one, other;
    if (all || strcmp(kase, "rows") == 0) {
        mix_run(&one, mix, 0);
        measure(&one, NULL, seconds);
        snprintf(variant, sizeof variant, "%zu rows", cmsedge_n_rows);
        record("rows", variant, one.best, NULL);
        run_close(&one);
#ifdef CMSEDGE_BENCH_LARGER
        larger_rows(seconds);
#endif
    }
    if (all || strcmp(kase, "hosts") == 0) {
        mix_run(&one, mix, 0);
        mix_run(&other, mix, MANY - 10);
        measure(&one, &other, seconds);
        record("hosts", "10 hosts", one.best, NULL);
        record("hosts", "100,000 hosts", other.best, NULL);
        run_close(&one);
        run_close(&other);
    }
    if (all || strcmp(kase, "flows") == 0) {
        flows_run(&one, 10);
        flows_run(&other, MANY);
        measure(&one, &other, seconds);
        record("flows", "10 flows", one.best, NULL);
        record("flows", "100,000 flows", other.best, NULL);
        run_close(&one);
        run_close(&other);
    }
    if (all || strcmp(kase, "calls") == 0) {
        calls_run(&one, 10);
        calls_run(&other, CLIENTS);
        measure(&one, &other, seconds);
        record("calls", "10 TURN clients", one.best, NULL);
        record("calls", "4,000 TURN clients", other.best, NULL);
        if (one.shown == 0 || other.shown == 0) {
            fprintf(stderr, "core_bench: the calls case found no TURN leg\n");
            return 1;
        }
        run_close(&one);
        run_close(&other);
    }
    free(mix);

    if (tsv) {
        for (size_t i = 0; i < n_results; i++)
            printf("%s\t%s\t%.0f\n", results[i].kase, results[i].variant, results[i].fps);
        return 0;
    }
    printf("| case | variant | frames/s | ns per frame | time ratio |\n|---|---|---|---|---|\n");
    for (size_t i = 0; i < n_results; i++) {
        const struct result *res = &results[i], *first = res;
        while (first > results && strcmp(first[-1].kase, res->kase) == 0)
            first--;
        if (!res->fps) {
            printf("| %s | %s | %s | | |\n", res->kase, res->variant, res->why);
            continue;
        }
        printf("| %s | %s | %.0f | %.0f | %.2f |\n", res->kase, res->variant, res->fps,
               1e9 / res->fps, first->fps / res->fps);
    }
    return 0;
}
