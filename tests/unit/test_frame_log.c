/* cmsedge unit tests: the frame log. Each frame logged gives back its own record, frames not
 * logged give nothing, the first pass's order is enforced, distinct records are kept once, and
 * a million frames stay near 8 bytes each.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "test_util.h"

#include "cmsedge/frame_log.h"

struct rec {
    uint32_t call, leg;
    uint8_t kind, hop, pad[2];
};

static struct rec rec_of(uint32_t call, uint32_t leg)
{
    struct rec r;
    memset(&r, 0, sizeof r);
    r.call = call;
    r.leg = leg;
    r.kind = (uint8_t)(leg % 3);
    return r;
}

static void frames_give_back_their_records(void **state)
{
    (void)state;
    struct cmsedge_frame_log *log = cmsedge_frame_log_new(sizeof(struct rec));
    assert_null(cmsedge_frame_log_get(log, 1));
    /* every third frame from 2, legs interleaved as streams are */
    for (uint32_t f = 2; f < 30000; f += 3) {
        struct rec r = rec_of(f % 5 + 1, f % 7);
        assert_true(cmsedge_frame_log_put(log, f, &r));
    }
    assert_int_equal(cmsedge_frame_log_frames(log), (30000 - 2 + 2) / 3);
    assert_true(cmsedge_frame_log_records(log) <= 35);
    for (uint32_t f = 0; f < 30005; f++) {
        const struct rec *got = cmsedge_frame_log_get(log, f);
        if (f < 2 || f >= 30000 || (f - 2) % 3) {
            assert_null(got);
            continue;
        }
        assert_non_null(got);
        assert_int_equal(got->call, f % 5 + 1);
        assert_int_equal(got->leg, f % 7);
    }
    cmsedge_frame_log_free(log);
}

static void first_pass_order(void **state)
{
    (void)state;
    struct cmsedge_frame_log *log = cmsedge_frame_log_new(sizeof(struct rec));
    struct rec a = rec_of(1, 1), b = rec_of(2, 2);
    assert_true(cmsedge_frame_log_put(log, 10, &a));
    /* the last frame again takes the new record (a frame dissected twice on the first pass) */
    assert_true(cmsedge_frame_log_put(log, 10, &b));
    assert_int_equal(((const struct rec *)cmsedge_frame_log_get(log, 10))->call, 2);
    /* an earlier frame was decided already */
    assert_false(cmsedge_frame_log_put(log, 9, &a));
    assert_null(cmsedge_frame_log_get(log, 9));
    assert_int_equal(cmsedge_frame_log_frames(log), 1);
    /* cleared for a new file: nothing, and any order starts again */
    cmsedge_frame_log_clear(log);
    assert_null(cmsedge_frame_log_get(log, 10));
    assert_true(cmsedge_frame_log_put(log, 3, &a));
    assert_int_equal(((const struct rec *)cmsedge_frame_log_get(log, 3))->leg, 1);
    cmsedge_frame_log_free(log);
}

static void bad_record_sizes(void **state)
{
    (void)state;
    assert_null(cmsedge_frame_log_new(0));
    assert_null(cmsedge_frame_log_new(65));
    cmsedge_frame_log_free(NULL);
}

/* Many distinct records (one per frame, the worst case) are all found again. */
static void distinct_records_grow(void **state)
{
    (void)state;
    struct cmsedge_frame_log *log = cmsedge_frame_log_new(sizeof(uint32_t));
    for (uint32_t f = 1; f <= 100000; f++) {
        uint32_t v = f * 2654435761u;
        assert_true(cmsedge_frame_log_put(log, f, &v));
    }
    assert_int_equal(cmsedge_frame_log_records(log), 100000);
    for (uint32_t f = 1; f <= 100000; f++) {
        const uint32_t *v = cmsedge_frame_log_get(log, f);
        assert_non_null(v);
        assert_int_equal(*v, f * 2654435761u);
    }
    cmsedge_frame_log_free(log);
}

static void a_million_frames_at_eight_bytes(void **state)
{
    (void)state;
    struct cmsedge_frame_log *log = cmsedge_frame_log_new(sizeof(struct rec));
    for (uint32_t f = 1; f <= 1000000; f++) {
        struct rec r = rec_of(f % 40, f % 80);
        cmsedge_frame_log_put(log, f, &r);
    }
    size_t bytes = cmsedge_frame_log_bytes(log);
    assert_true(bytes >= 8000000);
    assert_true(bytes < 8000000 + 64 * 1024);
    const struct rec *r = cmsedge_frame_log_get(log, 777777);
    assert_non_null(r);
    assert_int_equal(r->leg, 777777 % 80);
    cmsedge_frame_log_free(log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(frames_give_back_their_records),
        cmocka_unit_test(first_pass_order),
        cmocka_unit_test(bad_record_sizes),
        cmocka_unit_test(distinct_records_grow),
        cmocka_unit_test(a_million_frames_at_eight_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
