/* Unit tests: `inspect -f` templates (08-mini-docker/template.c), checked
 * against what Go's text/template prints for the same JSON. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "template.h"

static const char *doc =
	"{\"Id\":\"sha256:abc\",\"RepoTags\":[\"busybox:latest\",\"bb:1\"],"
	"\"Config\":{\"Env\":[\"PATH=/bin\"],\"Cmd\":[\"sh\",\"-c\",\"echo hi\"],\"Entrypoint\":null,"
	"\"Labels\":{\"b\":\"2\",\"a\":\"1\"},\"WorkingDir\":\"\"},\"Size\":1978000,"
	"\"RootFS\":{\"Type\":\"layers\",\"Layers\":[\"sha256:1\",\"sha256:2\",\"sha256:3\"]},"
	"\"State\":{\"Running\":true,\"Pid\":42}}";

/* render tmpl on doc; NULL if it failed (the reason in why) */
static char *render(const char *tmpl, char *why)
{
	json_object *o = json_tokener_parse(doc);
	assert_non_null(o);
	why[0] = '\0';
	char *s = template_render(tmpl, o, why, 256);
	json_object_put(o);
	return s;
}

static void expect(const char *tmpl, const char *want)
{
	char why[256];
	char *s = render(tmpl, why);
	if (!s)
		fail_msg("%s: %s", tmpl, why);
	assert_string_equal(s, want);
	free(s);
}

static void expect_error(const char *tmpl, const char *reason)
{
	char why[256];
	char *s = render(tmpl, why);
	assert_null(s);
	if (!strstr(why, reason))
		fail_msg("%s: '%s' does not say '%s'", tmpl, why, reason);
}

static void fields_print_as_go_does(void **state)
{
	(void)state;
	expect("{{.Id}}", "sha256:abc");
	expect("id={{.Id}}!", "id=sha256:abc!");
	expect("{{.RootFS.Layers}}", "[sha256:1 sha256:2 sha256:3]");
	expect("{{.Config.Cmd}}", "[sh -c echo hi]");
	expect("{{.Config.Entrypoint}}", "[]");
	expect("{{.Config.Labels}}", "map[a:1 b:2]");
	expect("{{.Size}}", "1978000");
	expect("{{.State.Running}} {{.State.Pid}}", "true 42");
	expect("{{index .Config.Labels \"nosuch\"}}", "<no value>");
	expect("{{ .Id }}", "sha256:abc");
	expect("{{.}}", "map[Config:map[Cmd:[sh -c echo hi] Entrypoint:[] Env:[PATH=/bin] Labels:map[a:1 b:2] "
	       "WorkingDir:] Id:sha256:abc RepoTags:[busybox:latest bb:1] RootFS:map[Layers:[sha256:1 sha256:2 "
	       "sha256:3] Type:layers] Size:1978000 State:map[Pid:42 Running:true]]");
}

static void functions(void **state)
{
	(void)state;
	expect("{{json .Config.Cmd}}", "[\"sh\",\"-c\",\"echo hi\"]");
	expect("{{json .Config.Entrypoint}}", "null");
	expect("{{.Config.Cmd | json}}", "[\"sh\",\"-c\",\"echo hi\"]");
	expect("{{index .RepoTags 1}}", "bb:1");
	expect("{{index .Config.Labels \"b\"}}", "2");
	expect("{{index . \"RootFS\" \"Layers\" 2}}", "sha256:3");
	expect("{{join .RootFS.Layers \",\"}}", "sha256:1,sha256:2,sha256:3");
	expect("{{len .RootFS.Layers}}", "3");
	expect("{{upper .RootFS.Type}} {{lower \"AbC\"}}", "LAYERS abc");
	expect("{{\"a|b\"}}", "a|b");
}

static void range_and_if(void **state)
{
	(void)state;
	expect("{{range .RootFS.Layers}}{{.}}\n{{end}}", "sha256:1\nsha256:2\nsha256:3\n");
	expect("{{range .RepoTags}}{{$.Id}} {{.}};{{end}}", "sha256:abc busybox:latest;sha256:abc bb:1;");
	expect("{{range .Config.Labels}}{{.}}{{end}}", "12");
	expect("{{range .Config.Entrypoint}}x{{else}}none{{end}}", "none");
	expect("{{if .State.Running}}up{{else}}down{{end}}", "up");
	expect("{{if .Config.WorkingDir}}wd{{else}}no wd{{end}}", "no wd");
	expect("{{if .Config.Entrypoint}}yes{{end}}.", ".");
	expect("{{range .RootFS.Layers}}{{if .}}[{{.}}]{{end}}{{end}}", "[sha256:1][sha256:2][sha256:3]");
	expect("a  {{- .Size -}}  b", "a1978000b");
	expect("{{/* a comment */}}x", "x");
}

static void bad_templates_say_why(void **state)
{
	(void)state;
	expect_error("{{.Id", "unclosed action");
	expect_error("{{range .RepoTags}}x", "missing {{end}}");
	expect_error("x{{end}}", "unexpected {{end}}");
	expect_error("{{nosuch .Id}}", "unknown function");
	expect_error("{{index .RepoTags 5}}", "index out of range");
	expect_error("{{.Id.Sub}}", "not an object");
	expect_error("{{}}", "missing value");
	expect_error("{{json}}", "wrong number of arguments");
	expect_error("{{range .Id}}x{{end}}", "not a list");
	expect_error("{{.Id .Size}}", "cannot take arguments");
	/* Docker's CLI runs templates with missingkey=error */
	expect_error("{{.NoSuch}}", "map has no entry for key \"NoSuch\"");
	expect_error("{{.Config.NoSuch}}", "map has no entry for key \"NoSuch\"");
	char why[256];
	assert_int_equal(template_check("{{.Id}} {{range .X}}{{end}}", why, sizeof(why)), 0);
	assert_int_equal(template_check("{{.Id", why, sizeof(why)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fields_print_as_go_does),
		cmocka_unit_test(functions),
		cmocka_unit_test(range_and_if),
		cmocka_unit_test(bad_templates_say_why),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
