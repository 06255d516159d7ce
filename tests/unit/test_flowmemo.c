/* cmsedge unit tests: the bounded memo of what classify and the services say of a flow. A hit
 * gives back exactly what was put; any part of the key, or any setting, that differs is a miss;
 * the memo keeps its size and stays right however many flows pass through it.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#include "cmsedge/flowmemo.h"

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

static void assert_same_verdict(const struct cmsedge_verdict *a, const struct cmsedge_verdict *b)
{
    assert_int_equal(a->n_matches, b->n_matches);
    for (size_t i = 0; i < a->n_matches; i++) {
        assert_ptr_equal(a->matches[i].row, b->matches[i].row);
        assert_int_equal(a->matches[i].reverse, b->matches[i].reverse);
    }
    assert_int_equal(a->judged, b->judged);
    assert_int_equal(a->near_miss, b->near_miss);
    assert_int_equal(a->offspec, b->offspec);
    assert_ptr_equal(a->nearest, b->nearest);
    assert_string_equal(a->reason, b->reason);
    assert_int_equal(a->findings.n, b->findings.n);
    for (size_t i = 0; i < a->findings.n; i++)
        assert_string_equal(a->findings.items[i].text, b->findings.items[i].text);
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
    size_t hits, misses;
    cmsedge_flowmemo_stats(x->m, &hits, &misses);
    assert_int_equal(hits, 1);
    assert_int_equal(misses, 1);
    free(v);
}

static void every_part_of_the_key_counts(void **state)
{
    struct fixture *x = *state;
    struct cmsedge_flow f = flow(30, 50010, 10, 24030);
    struct cmsedge_verdict *v = classified(&x->s, &f);
    put(x, &f, v);
    struct cmsedge_flow other[8];
    for (size_t i = 0; i < 8; i++)
        other[i] = f;
    other[0].src = test_host(31);
    other[1].dst = test_host(11);
    other[2].sport = 50011;
    other[3].dport = 24031;
    other[4].transport = TCP;
    other[5].src_role = CMSEDGE_ROLE_NONE;
    other[6].dst_role = CMSEDGE_ROLE_EXPRESSWAY_E_PUBLIC;
    other[7].hint = CMSEDGE_HINT_OTHER;
    for (size_t i = 0; i < 8; i++)
        assert_false(get(x, &other[i]));
    assert_true(get(x, &f));
    free(v);
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

/* 100,000 flows through it: every hit is the flow's own verdict, and the size never moves. */
static void many_flows_stay_right_in_the_same_space(void **state)
{
    struct fixture *x = *state;
    size_t bytes = cmsedge_flowmemo_bytes(), hits = 0;
    for (unsigned i = 0; i < 100000; i++) {
        /* every other frame from 300 busy flows, the rest each a flow of its own; relay ports
         * inside and outside the range: on-spec and near-miss verdicts mixed */
        unsigned k = i % 2 ? i % 300 : i;
        struct cmsedge_flow f = flow((uint8_t)(30 + k % 7), (uint16_t)(1024 + k % 60000), 10,
                                     (uint16_t)(23990 + k % 40));
        struct cmsedge_verdict *v = classified(&x->s, &f);
        if (get(x, &f)) {
            assert_same_verdict(&x->got, v);
            hits++;
        } else {
            put(x, &f, v);
        }
        /* the flow just seen is always found again */
        assert_true(get(x, &f));
        assert_same_verdict(&x->got, v);
        free(v);
    }
    print_message("%zu hits of 50,000 frames of busy flows\n", hits);
    assert_true(hits > 40000); /* the busy flows stay in */
    assert_int_equal(cmsedge_flowmemo_bytes(), bytes);
    assert_true(bytes < 8u * 1024 * 1024);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_hit_gives_back_what_was_put, setup, teardown),
        cmocka_unit_test_setup_teardown(every_part_of_the_key_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(a_setting_change_empties_it, setup, teardown),
        cmocka_unit_test_setup_teardown(many_flows_stay_right_in_the_same_space, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
