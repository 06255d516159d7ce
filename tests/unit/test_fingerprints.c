/* cmsedge unit tests: the fingerprint set and the media tracks kept by fingerprint. Members are
 * found again and nothing else is, across the array's growth; a million members stay within
 * the bytes the headers promise.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "test_util.h"

#include "cmsedge/fingerprints.h"
#include "cmsedge/media_tracks.h"

static uint64_t fp_of(uint32_t i)
{
    return cmsedge_fingerprint(&i, sizeof i);
}

static void fingerprints_differ_by_every_byte(void **state)
{
    (void)state;
    uint8_t a[34], b[34];
    memset(a, 0, sizeof a);
    for (size_t i = 0; i < sizeof a; i++) {
        memcpy(b, a, sizeof a);
        b[i] = 1;
        assert_true(cmsedge_fingerprint(a, sizeof a) != cmsedge_fingerprint(b, sizeof b));
    }
    /* the length counts too */
    assert_true(cmsedge_fingerprint(a, 33) != cmsedge_fingerprint(a, 34));
}

static void a_million_members(void **state)
{
    (void)state;
    struct cmsedge_fingerprints *set = cmsedge_fingerprints_new();
    assert_false(cmsedge_fingerprints_contains(set, 0));
    for (uint32_t i = 0; i < 1000000; i++) {
        assert_true(cmsedge_fingerprints_add(set, fp_of(i)));
        /* 8 bytes a slot, fewer than 5/3 slots a member at every count past the first array */
        if (i >= 64)
            assert_true(cmsedge_fingerprints_bytes(set) * 3 < 8u * 5 * (i + 1));
    }
    for (uint32_t i = 0; i < 1000000; i += 7)
        assert_false(cmsedge_fingerprints_add(set, fp_of(i))); /* already there */
    assert_int_equal(cmsedge_fingerprints_count(set), 1000000);
    for (uint32_t i = 0; i < 1000000; i++)
        assert_true(cmsedge_fingerprints_contains(set, fp_of(i)));
    for (uint32_t i = 1000000; i < 1100000; i++)
        assert_false(cmsedge_fingerprints_contains(set, fp_of(i)));
    /* 0 is a fingerprint like any other */
    assert_true(cmsedge_fingerprints_add(set, 0));
    assert_true(cmsedge_fingerprints_contains(set, 0));
    assert_true(cmsedge_fingerprints_bytes(set) <= 14u * 1000001);
    cmsedge_fingerprints_clear(set);
    assert_false(cmsedge_fingerprints_contains(set, fp_of(1)));
    assert_int_equal(cmsedge_fingerprints_count(set), 0);
    cmsedge_fingerprints_free(set);
}

static void tracks_are_kept_apart(void **state)
{
    (void)state;
    struct cmsedge_media_tracks *t = cmsedge_media_tracks_new();
    assert_null(cmsedge_media_tracks_find(t, fp_of(1)));
    for (uint32_t i = 0; i < 1000000; i++) {
        struct cmsedge_media_track track = {.ssrc = i, .seq = (uint16_t)i, .state = 1};
        assert_int_equal(cmsedge_media_tracks_keep(t, fp_of(i), &track)->ssrc, i);
        if (i >= 64)
            assert_true(cmsedge_media_tracks_bytes(t) * 3 < 20u * 5 * (i + 1));
    }
    for (uint32_t i = 0; i < 1000000; i++) {
        struct cmsedge_media_track *track = cmsedge_media_tracks_find(t, fp_of(i));
        assert_non_null(track);
        assert_int_equal(track->ssrc, i);
    }
    /* a track found is the kept one: the follower updates it in place */
    cmsedge_media_tracks_find(t, fp_of(5))->state = 2;
    assert_int_equal(cmsedge_media_tracks_find(t, fp_of(5))->state, 2);
    assert_null(cmsedge_media_tracks_find(t, fp_of(1000001)));
    assert_int_equal(cmsedge_media_tracks_count(t), 1000000);
    /* 20 bytes a slot, at most 34 bytes a track just after the array grew */
    assert_true(cmsedge_media_tracks_bytes(t) <= 34u * 1000000);
    cmsedge_media_tracks_clear(t);
    assert_null(cmsedge_media_tracks_find(t, fp_of(5)));
    cmsedge_media_tracks_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fingerprints_differ_by_every_byte),
        cmocka_unit_test(a_million_members),
        cmocka_unit_test(tracks_are_kept_apart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
