/* Unit tests: layer IDs (08-mini-docker/digest.c), whiteout names
 * (layer.c), image names (ref.c) and sizes (image.c). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common.h"
#include "digest.h"
#include "image.h"
#include "layer.h"

static void ids_as_the_notes_compute_them(void **state)
{
	(void)state;
	char a[65], b[65], out[65];
	memset(a, 'a', 64);
	memset(b, 'b', 64);
	a[64] = b[64] = '\0';
	/* ChainID(1) = DiffID(1) */
	assert_int_equal(chain_id(NULL, a, out), 0);
	assert_string_equal(out, a);
	/* echo -n "sha256:aaa... sha256:bbb..." | sha256sum */
	assert_int_equal(chain_id(a, b, out), 0);
	assert_string_equal(out, "ccd722928bd92476ba1745586fed6e45a102504185ad88cd89e01ff116fd146c");
	assert_int_equal(sha256_hex("", 0, out), 0);
	assert_string_equal(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_true(is_hex64(out));
	assert_false(is_hex64("abc"));
	out[3] = 'G';
	assert_false(is_hex64(out));
}

static void whiteouts(void **state)
{
	(void)state;
	char t[256];
	assert_int_equal(whiteout_parse("etc/.wh.passwd", t, sizeof(t)), WH_FILE);
	assert_string_equal(t, "etc/passwd");
	assert_int_equal(whiteout_parse("./.wh.bin", t, sizeof(t)), WH_FILE);
	assert_string_equal(t, "bin");
	assert_int_equal(whiteout_parse("usr/share/.wh..wh..opq", t, sizeof(t)), WH_OPAQUE);
	assert_string_equal(t, "usr/share");
	assert_int_equal(whiteout_parse(".wh..wh..opq", t, sizeof(t)), WH_OPAQUE);
	assert_string_equal(t, "");
	assert_int_equal(whiteout_parse("a/.wh..wh.plnk/123", t, sizeof(t)), WH_NONE); /* inside a dir */
	assert_int_equal(whiteout_parse("a/.wh..wh.aufs", t, sizeof(t)), WH_META);
	assert_int_equal(whiteout_parse("a/.wh.", t, sizeof(t)), WH_META);
	assert_int_equal(whiteout_parse("a/b.wh.c", t, sizeof(t)), WH_NONE);
	assert_int_equal(whiteout_parse("etc/passwd", t, sizeof(t)), WH_NONE);
	char small[4];
	assert_int_equal(whiteout_parse("etc/.wh.passwd", small, sizeof(small)), WH_META);
	/* and back: what commit writes for a deleted file */
	assert_int_equal(whiteout_name("etc/passwd", t, sizeof(t)), 0);
	assert_string_equal(t, "etc/.wh.passwd");
	assert_int_equal(whiteout_name("bin", t, sizeof(t)), 0);
	assert_string_equal(t, ".wh.bin");
	assert_int_equal(whiteout_name("a/b/c", small, sizeof(small)), -1);
	/* round trip */
	assert_int_equal(whiteout_name("x/y/z", t, sizeof(t)), 0);
	char back[256];
	assert_int_equal(whiteout_parse(t, back, sizeof(back)), WH_FILE);
	assert_string_equal(back, "x/y/z");
}

static void image_names(void **state)
{
	(void)state;
	char repo[256], tag[130], why[512];
	assert_int_equal(ref_parse("busybox", repo, sizeof(repo), tag, sizeof(tag), why, sizeof(why)), 0);
	assert_string_equal(repo, "busybox");
	assert_string_equal(tag, "latest");
	assert_int_equal(ref_parse("my/app:v1.2-rc_3", repo, sizeof(repo), tag, sizeof(tag), why, sizeof(why)), 0);
	assert_string_equal(repo, "my/app");
	assert_string_equal(tag, "v1.2-rc_3");
	assert_int_equal(ref_parse("host.io/a/b:2", repo, sizeof(repo), tag, sizeof(tag), why, sizeof(why)), 0);
	assert_string_equal(repo, "host.io/a/b");
	assert_int_equal(ref_parse("docker.io/library/busybox:1.36", repo, sizeof(repo), tag, sizeof(tag),
				   why, sizeof(why)), 0);
	assert_string_equal(repo, "busybox");
	assert_string_equal(tag, "1.36");
	static const char *const bad[] = { "", "Busybox", "a b", "-a", "a:", ":t", "a//b", "a/", "a:-t",
					   "a:t t", "a:b:c", "a..b/../c" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		int r = ref_parse(bad[i], repo, sizeof(repo), tag, sizeof(tag), why, sizeof(why));
		if (r != -1 || !strstr(why, "is not a valid image name"))
			fail_msg("'%s': r=%d why='%s'", bad[i], r, why);
	}
}

static void sizes(void **state)
{
	(void)state;
	char b[64];
	assert_string_equal(human_size(12, b, sizeof(b)), "12B");
	assert_string_equal(human_size(1980000, b, sizeof(b)), "1.98MB");
	assert_string_equal(human_size(72800000, b, sizeof(b)), "72.8MB");
	assert_string_equal(human_size(867000, b, sizeof(b)), "867kB");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ids_as_the_notes_compute_them),
		cmocka_unit_test(whiteouts),
		cmocka_unit_test(image_names),
		cmocka_unit_test(sizes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
