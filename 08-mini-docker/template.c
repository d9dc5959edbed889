/* 08-mini-docker/template.c — see template.h. The template is cut into
 * nodes (text, an action, range/if/else/end) and matched once, then run
 * on the JSON; a value is a json-c object with a reference held, or
 * "missing" (a field the object does not have). */
#define _GNU_SOURCE
#include "template.h"
#include "tplvalue.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- cutting the template into nodes ---------------------------------------- */

static int add_node(struct tpl *t, enum kind k, const char *s, size_t len)
{
	struct node *n = realloc(t->n, (size_t)(t->count + 1) * sizeof(*n));
	if (!n)
		return -1;
	t->n = n;
	t->n[t->count++] = (struct node){ k, s, len, -1, -1 };
	return 0;
}

/* The end of the action that starts at s (after "{{"): its "}}", not one
 * inside a quoted string. NULL if there is none. */
static const char *action_end(const char *s)
{
	for (int quoted = 0; *s; s++) {
		if (quoted && *s == '\\' && s[1])
			s++;
		else if (*s == '"')
			quoted = !quoted;
		else if (!quoted && s[0] == '}' && s[1] == '}')
			return s;
	}
	return NULL;
}

static int keyword(const char *s, size_t len, const char *kw)
{
	size_t k = strlen(kw);
	return len >= k && strncmp(s, kw, k) == 0 && (len == k || isspace((unsigned char)s[k]));
}

/* One action's text (trimmed) -> a node. */
static int action_node(struct tpl *t, const char *s, size_t len)
{
	while (len && isspace((unsigned char)*s))
		s++, len--;
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	if (len >= 4 && strncmp(s, "/*", 2) == 0 && strncmp(s + len - 2, "*/", 2) == 0)
		return 0; /* a comment */
	static const struct { const char *kw; enum kind k; } kws[] = {
		{ "range", N_RANGE }, { "if", N_IF }, { "else", N_ELSE }, { "end", N_END } };
	for (size_t i = 0; i < sizeof(kws) / sizeof(kws[0]); i++)
		if (keyword(s, len, kws[i].kw)) {
			size_t k = strlen(kws[i].kw);
			if ((kws[i].k == N_ELSE || kws[i].k == N_END) && len != k)
				return tpl_fail(t, "unexpected words after the keyword", s, len);
			return add_node(t, kws[i].k, s + k, len - k);
		}
	if (len == 0)
		return tpl_fail(t, "missing value", s, len);
	return add_node(t, N_ACT, s, len);
}

static int cut(struct tpl *t, const char *p)
{
	int trim_next = 0;
	while (*p) {
		const char *open = strstr(p, "{{");
		const char *text_end = open ? open : p + strlen(p);
		if (trim_next)
			while (p < text_end && isspace((unsigned char)*p))
				p++;
		if (!open)
			return p < text_end ? add_node(t, N_TEXT, p, (size_t)(text_end - p)) : 0;
		const char *a = open + 2, *close = action_end(a);
		if (!close)
			return tpl_fail(t, "unclosed action", a, strlen(a));
		/* "{{- " trims the text before, " -}}" the text after */
		int trim_before = a[0] == '-' && isspace((unsigned char)a[1]);
		trim_next = close - a >= 2 && close[-1] == '-' && isspace((unsigned char)close[-2]);
		const char *te = text_end;
		if (trim_before)
			while (te > p && isspace((unsigned char)te[-1]))
				te--;
		if (te > p && add_node(t, N_TEXT, p, (size_t)(te - p)) < 0)
			return -1;
		if (action_node(t, a + trim_before, (size_t)(close - a - trim_before - 2 * trim_next)) < 0)
			return -1;
		p = close + 2;
	}
	return 0;
}

/* Pair each range/if with its else and end. */
static int match(struct tpl *t)
{
	int stack[64], depth = 0;
	for (int i = 0; i < t->count; i++) {
		struct node *n = &t->n[i];
		if (n->kind == N_RANGE || n->kind == N_IF) {
			if (depth == 64)
				return tpl_fail(t, "nested too deep", n->s, n->len);
			stack[depth++] = i;
		} else if (n->kind == N_ELSE || n->kind == N_END) {
			if (depth == 0)
				return tpl_fail(t, n->kind == N_END ? "unexpected {{end}}" : "unexpected {{else}}",
					    n->s, n->len);
			struct node *open = &t->n[stack[depth - 1]];
			if (n->kind == N_ELSE && open->alt >= 0)
				return tpl_fail(t, "a second {{else}}", n->s, n->len);
			*(n->kind == N_ELSE ? &open->alt : &open->end) = i;
			if (n->kind == N_END)
				depth--;
		}
	}
	if (depth > 0)
		return tpl_fail(t, "missing {{end}}", t->n[stack[depth - 1]].s, t->n[stack[depth - 1]].len);
	return 0;
}

/* ---- running ----------------------------------------------------------------- */

static int run(struct tpl *t, int from, int to, json_object *dot);

static int run_range(struct tpl *t, struct node *n, json_object *dot)
{
	struct val v;
	if (pipeline(t, dot, n->s, n->len, &v) < 0)
		return -1;
	int body_end = n->alt >= 0 ? n->alt : n->end, rc = 0, any = 0;
	if (json_object_is_type(v.o, json_type_array)) {
		for (size_t i = 0; rc == 0 && i < json_object_array_length(v.o); i++, any = 1)
			rc = run(t, (int)(n - t->n) + 1, body_end, json_object_array_get_idx(v.o, i));
	} else if (json_object_is_type(v.o, json_type_object)) {
		size_t k;
		char **keys = sorted_keys(v.o, &k);
		for (size_t i = 0; keys && rc == 0 && i < k; i++, any = 1) {
			json_object *e;
			json_object_object_get_ex(v.o, keys[i], &e);
			rc = run(t, (int)(n - t->n) + 1, body_end, e);
		}
		free(keys);
	} else if (!v.missing && v.o) {
		rc = tpl_fail(t, "range over a value that is not a list or an object", n->s, n->len);
	}
	if (rc == 0 && !any && n->alt >= 0)
		rc = run(t, n->alt + 1, n->end, dot);
	drop(&v);
	return rc;
}

static int run_if(struct tpl *t, struct node *n, json_object *dot)
{
	struct val v;
	if (pipeline(t, dot, n->s, n->len, &v) < 0)
		return -1;
	int yes = truthy(v), self = (int)(n - t->n);
	drop(&v);
	if (yes)
		return run(t, self + 1, n->alt >= 0 ? n->alt : n->end, dot);
	return n->alt >= 0 ? run(t, n->alt + 1, n->end, dot) : 0;
}

/* Nodes from..to-1 with dot as ".". */
static int run(struct tpl *t, int from, int to, json_object *dot)
{
	for (int i = from; i < to; i++) {
		struct node *n = &t->n[i];
		struct val v;
		switch (n->kind) {
		case N_TEXT:
			fwrite(n->s, 1, n->len, t->out);
			break;
		case N_ACT:
			if (pipeline(t, dot, n->s, n->len, &v) < 0)
				return -1;
			if (v.missing)
				fputs("<no value>", t->out);
			else
				print_go(t->out, v.o);
			drop(&v);
			break;
		case N_RANGE:
		case N_IF:
			if ((n->kind == N_RANGE ? run_range(t, n, dot) : run_if(t, n, dot)) < 0)
				return -1;
			i = n->end;
			break;
		default:
			break;
		}
	}
	return 0;
}

int template_check(const char *tmpl, char *why, size_t why_size)
{
	struct tpl t = { .why = why, .why_size = why_size };
	int rc = cut(&t, tmpl) < 0 || match(&t) < 0 ? -1 : 0;
	free(t.n);
	return rc;
}

char *template_render(const char *tmpl, json_object *data, char *why, size_t why_size)
{
	struct tpl t = { .root = data, .why = why, .why_size = why_size };
	char *s = NULL;
	size_t len;
	int rc = -1;
	if (cut(&t, tmpl) < 0 || match(&t) < 0)
		goto out;
	if ((t.out = open_memstream(&s, &len)) == NULL) {
		snprintf(why, why_size, "template: out of memory");
		goto out;
	}
	rc = run(&t, 0, t.count, data);
	fclose(t.out);
out:
	free(t.n);
	if (rc < 0) {
		free(s);
		return NULL;
	}
	return s;
}
