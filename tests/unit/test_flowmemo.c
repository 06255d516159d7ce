/* cmsedge unit tests: the memo of what classify and the services say of a flow. A hit gives
 * back exactly what was put; any part of the key, or any setting, that differs is a miss; the
 * addresses count only through whether they are the same, which classify itself must honour;
 * a flow is found again however many flows came between; a memo that fills up starts again and
 * stays right.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#include "cmsedge/flowmemo.h"
#include "verdict_store.h"

static struct cmsedge_flow flow(uint8_t a, uint16_t pa, uint8_t b, uint16_t pb)
{
    struct cmsedge_flow f;
    memset(&f, 0, sizeof f);
    f.transport = UDP;
    f.src = test_host(a), f.dst = test_host(b);
    f.sport = pa, f.dport = pb;
    f.src_role = CMSEDGE_ROLE_MEETING_SERVER;
    f.dst_role = CMSEDGE_ROLE_EXPRESSWAY_E_PRIVATE;
    f.hint = CMSEDGE_APP_RTP;
    return f;
}

static struct cmsedge_verdict *classified(const struct cmsedge_settings *s,
                                          const struct cmsedge_flow *f)
{
    struct cmsedge_verdict *v = calloc(1, sizeof *v);
    cmsedge_classify(s, f, v);
    return v;
}

/* What every test starts from: default settings, an empty memo, room for what it gives back. */
struct fixture {
    struct cmsedge_settings s;
    struct cmsedge_flowmemo *m;
    struct cmsedge_verdict got;
    struct cmsedge_service_match svc, got_svc;
};

static int setup(void **state)
{
    struct fixture *x = calloc(1, sizeof *x);
    cmsedge_settings_defaults(&x->s);
    x->m = cmsedge_flowmemo_new();
    *state = x;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *x = *state;
    cmsedge_flowmemo_free(x->m);
    free(x);
    return 0;
}

static bool get(struct fixture *x, const struct cmsedge_flow *f)
{
    return cmsedge_flowmemo_get(x->m, &x->s, f, &x->got, &x->got_svc);
}

static void put(struct fixture *x, const struct cmsedge_flow *f, const struct cmsedge_verdict *v)
{
    cmsedge_flowmemo_put(x->m, &x->s, f, v, &x->svc);
}

/* Every part of a verdict a renderer reads. */
static void assert_same_verdict(const struct cmsedge_verdict *a, const struct cmsedge_verdict *b)
{
    assert_int_equal(a->n_matches, b->n_matches);
    for (size_t i = 0; i < a->n_matches; i++) {
        const struct cmsedge_match *x = &a->matches[i], *y = &b->matches[i];
        assert_ptr_equal(x->row, y->row);
        assert_int_equal(x->reverse, y->reverse);
        assert_int_equal(x->zone, y->zone);
        assert_int_equal(x->footnote, y->footnote);
        assert_int_equal(x->src_fit, y->src_fit);
        assert_int_equal(x->dst_fit, y->dst_fit);
        assert_int_equal(x->src_role, y->src_role);
        assert_int_equal(x->dst_role, y->dst_role);
        assert_int_equal(x->translated, y->translated);
        assert_int_equal(x->confirmed, y->confirmed);
    }
    assert_int_equal(a->judged, b->judged);
    assert_int_equal(a->unmatched, b->unmatched);
    assert_int_equal(a->near_miss, b->near_miss);
    assert_int_equal(a->offspec, b->offspec);
    assert_ptr_equal(a->nearest, b->nearest);
    assert_int_equal(a->nearest_reverse, b->nearest_reverse);
    assert_int_equal(a->translated_source, b->translated_source);
    assert_string_equal(a->reason, b->reason);
    assert_int_equal(a->findings.n, b->findings.n);
    for (size_t i = 0; i < a->findings.n; i++) {
        const struct cmsedge_finding *x = &a->findings.items[i], *y = &b->findings.items[i];
        assert_int_equal(x->kind, y->kind);
        assert_int_equal(x->severity, y->severity);
        assert_int_equal(x->footnote, y->footnote);
        assert_ptr_equal(x->row, y->row);
        assert_string_equal(x->text, y->text);
    }
    assert_int_equal(a->checks, b->checks);
}

static void a_hit_gives_back_what_was_put(void **state)
{
    struct fixture *x = *state;
    /* a near miss: Meeting Server TURN media to a port under the relay range */
    struct cmsedge_flow f = flow(30, 50010, 10, 23000);
    struct cmsedge_verdict *v = classified(&x->s, &f);
    assert_true(v->near_miss);
    assert_false(get(x, &f));
    put(x, &f, v);
    assert_true(get(x, &f));
    assert_same_verdict(&x->got, v);
    assert_null(x->got_svc.service);
    /* the service match comes back too, and is part of what makes a conclusion distinct */
    struct cmsedge_flow g = flow(30, 50010, 10, 23001);
    struct cmsedge_verdict *w = classified(&x->s, &g);
    x->svc.service = &cmsedge_services[0];
    x->svc.reverse = true;
    put(x, &g, w);
    assert_true(get(x, &g));
    assert_ptr_equal(x->got_svc.service, &cmsedge_services[0]);
    assert_true(x->got_svc.reverse);
    assert_true(get(x, &f));
    assert_null(x->got_svc.service);
    free(w);
    struct cmsedge_flowmemo_stats st;
    cmsedge_flowmemo_stats(x->m, &st);
    assert_int_equal(st.hits, 3);
    assert_int_equal(st.misses, 1);
    assert_int_equal(st.keys, 2);
    assert_int_equal(st.verdicts, 2);
    free(v);
}

static void every_part_of_the_key_counts(void **state)
{
    struct fixture *x = *state;
    struct cmsedge_flow f = flow(30, 50010, 10, 24030);
    struct cmsedge_verdict *v = classified(&x->s, &f);
    put(x, &f, v);
    struct cmsedge_flow other[7];
    for (size_t i = 0; i < 7; i++)
        other[i] = f;
    other[0].dst = f.src; /* the same address at both ends */
    other[1].sport = 50011;
    other[2].dport = 24031;
    other[3].transport = TCP;
    other[4].src_role = CMSEDGE_ROLE_NONE;
    other[5].dst_role = CMSEDGE_ROLE_EXPRESSWAY_E_PUBLIC;
    other[6].hint = CMSEDGE_HINT_OTHER;
    for (size_t i = 0; i < 7; i++)
        assert_false(get(x, &other[i]));
    assert_true(get(x, &f));
    free(v);
}

/* Other hosts of the same roles on the same ports get the same answer, read back. */
static void other_addresses_share_the_answer(void **state)
{
    struct fixture *x = *state;
    struct cmsedge_flow f = flow(30, 50010, 10, 24030);
    struct cmsedge_verdict *v = classified(&x->s, &f);
    put(x, &f, v);
    struct cmsedge_flow g = f;
    g.src = test_host(31);
    g.dst = test_host(11);
    assert_true(get(x, &g));
    assert_same_verdict(&x->got, v);
    free(v);
}

/* What the memo's key leaves out must not change a verdict: classify any flow between two
 * distinct addresses, then between two others (IPv6 among them), and the verdicts are the
 * same. The flows are each row's ends and ports (every bound of every cell, a port each side
 * of it), in both directions, under every role pair the row names and with strangers. */
struct port_list {
    uint16_t ports[64];
    size_t n;
};

static void add_port(struct port_list *l, uint16_t port)
{
    for (size_t i = 0; i < l->n; i++) {
        if (l->ports[i] == port)
            return;
    }
    if (l->n < sizeof l->ports / sizeof l->ports[0])
        l->ports[l->n++] = port;
}

static void add_bounds(uint16_t lo, uint16_t hi, void *user)
{
    struct port_list *l = user;
    add_port(l, lo);
    add_port(l, hi);
    if (lo > 0)
        add_port(l, (uint16_t)(lo - 1));
    if (hi < UINT16_MAX)
        add_port(l, (uint16_t)(hi + 1));
}

static void assert_same_whoever(const struct cmsedge_settings *s, struct cmsedge_flow f)
{
    static const uint8_t v6a[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
    static const uint8_t v6b[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
    struct cmsedge_verdict a, b;
    f.src = test_host(1), f.dst = test_host(2);
    cmsedge_classify(s, &f, &a);
    cmsedge_addr_from_ipv6(&f.src, v6a);
    cmsedge_addr_from_ipv6(&f.dst, v6b);
    cmsedge_classify(s, &f, &b);
    assert_same_verdict(&a, &b);
    for (size_t i = 0; i < a.findings.n; i++)
        assert_int_equal(a.findings.items[i].kind, b.findings.items[i].kind);
    assert_string_equal(a.reason, b.reason);
}

static void classify_reads_addresses_only_for_sameness(void **state)
{
    struct fixture *x = *state;
    static const int hints[] = {CMSEDGE_HINT_NONE, CMSEDGE_HINT_OTHER, CMSEDGE_APP_RTP,
                                CMSEDGE_APP_TLS,   CMSEDGE_APP_SIP,    CMSEDGE_APP_STUN};
    size_t flows = 0;
    for (size_t r = 0; r < cmsedge_n_rows; r++) {
        const struct cmsedge_row *row = &cmsedge_rows[r];
        struct port_list src = {.n = 0}, dst = {.n = 0};
        cmsedge_cell_bounds(&row->src.ports, &x->s, add_bounds, &src);
        cmsedge_cell_bounds(&row->dst.ports, &x->s, add_bounds, &dst);
        add_port(&src, 50000);
        const enum cmsedge_role roles[][2] = {
            {row->src.role, row->dst.role},
            {row->src.translated ? row->src.translated : row->src.role, row->dst.role},
            {CMSEDGE_ROLE_NONE, row->dst.role},
            {row->src.role, CMSEDGE_ROLE_NONE},
        };
        for (size_t k = 0; k < sizeof roles / sizeof roles[0]; k++) {
            for (size_t i = 0; i < src.n; i++) {
                for (size_t j = 0; j < dst.n; j++) {
                    for (unsigned t = UDP; t <= TCP; t++) {
                        struct cmsedge_flow f = flow(1, src.ports[i], 2, dst.ports[j]);
                        f.transport = t;
                        f.src_role =
                            roles[k][0] == CMSEDGE_ROLE_ANY ? CMSEDGE_ROLE_NONE : roles[k][0];
                        f.dst_role =
                            roles[k][1] == CMSEDGE_ROLE_ANY ? CMSEDGE_ROLE_NONE : roles[k][1];
                        f.hint = hints[(i + j + k) % (sizeof hints / sizeof hints[0])];
                        assert_same_whoever(&x->s, f);
                        /* and the same flow as its reply */
                        struct cmsedge_flow back = f;
                        back.sport = f.dport, back.dport = f.sport;
                        back.src_role = f.dst_role, back.dst_role = f.src_role;
                        assert_same_whoever(&x->s, back);
                        flows += 2;
                    }
                }
            }
        }
    }
    print_message("%zu flows classified between two pairs of hosts\n", flows);
    assert_true(flows > 10000);
}

static void a_setting_change_empties_it(void **state)
{
    struct fixture *x = *state;
    struct cmsedge_flow f = flow(30, 50010, 10, 24030);
    struct cmsedge_verdict *v = classified(&x->s, &f);
    put(x, &f, v);
    /* a narrower relay range: the same flow must be classified again, not read back */
    x->s.relay.hi = 24020;
    assert_false(get(x, &f));
    struct cmsedge_verdict *narrower = classified(&x->s, &f);
    assert_true(narrower->near_miss);
    assert_false(v->near_miss);
    put(x, &f, narrower);
    assert_true(get(x, &f));
    assert_same_verdict(&x->got, narrower);
    cmsedge_flowmemo_clear(x->m);
    assert_false(get(x, &f));
    free(v);
    free(narrower);
}

/* 100,000 distinct flows through it, every other frame one of 300 busy ones: every hit is the
 * flow's own verdict, a flow is found again after all the others, and the memory is a few
 * bytes a key. */
static struct cmsedge_flow many(unsigned k)
{
    /* relay ports inside and outside the range: on-spec and near-miss verdicts mixed */
    return flow((uint8_t)(30 + k % 7), (uint16_t)(1024 + k % 60000), 10,
                (uint16_t)(23990 + (k / 60000) * 40 + k % 40));
}

static void many_flows_stay_right_and_are_found_again(void **state)
{
    struct fixture *x = *state;
    size_t hits = 0, most = 0;
    struct cmsedge_flowmemo_stats st;
    for (unsigned i = 0; i < 200000; i++) {
        struct cmsedge_flow f = many(i % 2 ? i / 2 % 300 : i / 2);
        struct cmsedge_verdict *v = classified(&x->s, &f);
        if (get(x, &f)) {
            assert_same_verdict(&x->got, v);
            hits++;
        } else {
            put(x, &f, v);
        }
        free(v);
        cmsedge_flowmemo_stats(x->m, &st);
        if (st.bytes > most)
            most = st.bytes;
    }
    size_t keys = st.keys;
    print_message("%zu hits, %zu keys, %zu verdicts, %zu bytes (%zu at most)\n", hits, st.keys,
                  st.verdicts, st.bytes, most);
    assert_true(hits >= 100000 - 300); /* every busy flow's frame after its first */
    assert_int_equal(keys, 100000);    /* every flow's ports differ */
    assert_int_equal(st.restarts, 0);
    assert_true(st.verdicts < 100);
    /* eight bytes a slot, 4/3 to 8/3 slots a key, and the distinct verdicts */
    assert_true(most <= 8 * 8 * keys / 3 + 100 * sizeof(struct cmsedge_verdict) + 16384);
    /* the first flows again, after 100,000 others: every one a hit */
    for (unsigned i = 0; i < 1000; i++) {
        struct cmsedge_flow f = many(i);
        struct cmsedge_verdict *v = classified(&x->s, &f);
        assert_true(get(x, &f));
        assert_same_verdict(&x->got, v);
        free(v);
    }
    cmsedge_flowmemo_stats(x->m, &st);
    assert_int_equal(st.keys, keys);
}

/* A near miss's reason names the port seen: a scan of Meeting Server ports under the relay
 * range makes thousands of distinct verdicts. Once 1,024 are kept the next are not, the memo
 * starts again when enough have gone unkept, and every answer it gives is the flow's own. */
static void a_full_memo_starts_again_and_stays_right(void **state)
{
    struct fixture *x = *state;
    size_t near_misses = 0, most_unkept = 0;
    struct cmsedge_flowmemo_stats st;
    for (unsigned round = 0; round < 2; round++) {
        for (unsigned port = 14000; port < 24000; port++) {
            struct cmsedge_flow f = flow(30, 50010, 10, (uint16_t)port);
            struct cmsedge_verdict *v = classified(&x->s, &f);
            near_misses += round == 0 && v->near_miss;
            if (get(x, &f))
                assert_same_verdict(&x->got, v);
            else
                put(x, &f, v);
            if (get(x, &f)) /* kept or not, never another flow's answer */
                assert_same_verdict(&x->got, v);
            free(v);
            cmsedge_flowmemo_stats(x->m, &st);
            assert_true(st.verdicts <= CMSEDGE_VERDICT_STORE_MAX);
            if (st.unkept > most_unkept)
                most_unkept = st.unkept;
        }
    }
    print_message("%zu near misses, %zu restarts, %zu unkept at most\n", near_misses, st.restarts,
                  most_unkept);
    assert_true(near_misses > 2 * CMSEDGE_VERDICT_STORE_MAX);
    assert_true(st.restarts >= 1);
    /* a restart waits for 4,096 unkept, or as many as the keys, whichever is more */
    assert_int_equal(most_unkept, 4096);
}

/* Past 786,432 keys the memo starts again rather than grow: the keys it holds drop, and every
 * flow put after the restart is found with its own verdict. */
static void too_many_keys_start_it_again(void **state)
{
    struct fixture *x = *state;
    struct cmsedge_flow f = flow(30, 50010, 10, 24030);
    struct cmsedge_verdict *v = classified(&x->s, &f);
    struct cmsedge_flowmemo_stats st;
    size_t most = 0, most_bytes = 0;
    for (unsigned i = 0; i < 900000; i++) {
        struct cmsedge_flow g =
            flow(30, (uint16_t)(1024 + i % 60000), 10, (uint16_t)(24000 + i / 60000));
        put(x, &g, v);
        cmsedge_flowmemo_stats(x->m, &st);
        if (st.keys > most)
            most = st.keys;
        if (st.bytes > most_bytes)
            most_bytes = st.bytes;
    }
    print_message("%zu keys at most, %zu now, %zu restarts, %zu bytes\n", most, st.keys,
                  st.restarts, st.bytes);
    assert_int_equal(most, 786432);
    assert_int_equal(st.restarts, 1);
    assert_int_equal(st.keys, 900000 - 786432);
    /* the slots never pass 8 MiB: the largest table was the last before the restart */
    assert_true(most_bytes <= 8u * 1024 * 1024 + 2 * sizeof(struct cmsedge_verdict) + 16384);
    for (unsigned i = 786432; i < 900000; i++) {
        struct cmsedge_flow g =
            flow(30, (uint16_t)(1024 + i % 60000), 10, (uint16_t)(24000 + i / 60000));
        assert_true(get(x, &g));
        assert_same_verdict(&x->got, v);
    }
    free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_hit_gives_back_what_was_put, setup, teardown),
        cmocka_unit_test_setup_teardown(every_part_of_the_key_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(a_setting_change_empties_it, setup, teardown),
        cmocka_unit_test_setup_teardown(other_addresses_share_the_answer, setup, teardown),
        cmocka_unit_test_setup_teardown(classify_reads_addresses_only_for_sameness, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(many_flows_stay_right_and_are_found_again, setup, teardown),
        cmocka_unit_test_setup_teardown(a_full_memo_starts_again_and_stays_right, setup, teardown),
        cmocka_unit_test_setup_teardown(too_many_keys_start_it_again, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
