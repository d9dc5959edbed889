/* 08-mini-docker/tplvalue.c — the values of a template (template.h): a
 * field of the JSON, a literal, or what a function made of its arguments,
 * and how Go prints each. */
#define _GNU_SOURCE
#include "tplvalue.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

int tpl_fail(struct tpl *t, const char *what, const char *s, size_t len)
{
	snprintf(t->why, t->why_size, "template: %s in \"{{%.*s}}\"", what, (int)(len > 60 ? 60 : len), s);
	return -1;
}

/* ---- values ------------------------------------------------------------------ */

static struct val held(json_object *o)
{
	return (struct val){ json_object_get(o), 0 };
}

void drop(struct val *v)
{
	json_object_put(v->o);
	v->o = NULL;
}

static int keycmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* An object's keys, sorted as Go sorts a map's when it prints one. */
char **sorted_keys(json_object *o, size_t *n)
{
	char **k = calloc((size_t)json_object_object_length(o) + 1, sizeof(char *));
	*n = 0;
	if (!k)
		return NULL;
	json_object_object_foreach(o, key, v) {
		(void)v;
		k[(*n)++] = key;
	}
	qsort(k, *n, sizeof(char *), keycmp);
	return k;
}

/* What Go's fmt %v prints for the value. */
void print_go(FILE *out, json_object *o)
{
	size_t n;
	switch (json_object_get_type(o)) {
	case json_type_null:
		fputs("[]", out); /* a nil list, as Docker's typed fields print */
		break;
	case json_type_array:
		fputc('[', out);
		for (size_t i = 0; i < json_object_array_length(o); i++) {
			if (i)
				fputc(' ', out);
			print_go(out, json_object_array_get_idx(o, i));
		}
		fputc(']', out);
		break;
	case json_type_object: {
		char **k = sorted_keys(o, &n);
		fputs("map[", out);
		for (size_t i = 0; k && i < n; i++) {
			json_object *v;
			json_object_object_get_ex(o, k[i], &v);
			fprintf(out, "%s%s:", i ? " " : "", k[i]);
			print_go(out, v);
		}
		fputc(']', out);
		free(k);
		break;
	}
	case json_type_double: {
		char buf[64];
		double d = json_object_get_double(o);
		snprintf(buf, sizeof(buf), "%.15g", d);
		if (strtod(buf, NULL) != d)
			snprintf(buf, sizeof(buf), "%.17g", d);
		fputs(buf, out);
		break;
	}
	default:
		fputs(json_object_get_string(o), out);
	}
}

int truthy(struct val v)
{
	if (v.missing || !v.o)
		return 0;
	switch (json_object_get_type(v.o)) {
	case json_type_boolean: return json_object_get_boolean(v.o);
	case json_type_int: return json_object_get_int64(v.o) != 0;
	case json_type_double: return json_object_get_double(v.o) != 0;
	case json_type_string: return json_object_get_string_len(v.o) > 0;
	case json_type_array: return json_object_array_length(v.o) > 0;
	case json_type_object: return json_object_object_length(v.o) > 0;
	default: return 0;
	}
}

/* ---- operands and functions -------------------------------------------------- */

/* ".A.B" (or "$.A.B", "." or "$") from base. */
static int field(struct tpl *t, json_object *base, const char *s, size_t len, struct val *v)
{
	*v = held(base);
	const char *p = s + (s[0] == '$'), *end = s + len;
	while (p < end && *p == '.' && p + 1 < end) {
		const char *name = ++p;
		while (p < end && *p != '.')
			p++;
		char key[256];
		snprintf(key, sizeof(key), "%.*s", (int)(p - name), name);
		if (v->missing || !v->o) {
			v->missing = 1; /* below index's <no value>, or a null */
			continue;
		}
		if (!json_object_is_type(v->o, json_type_object)) {
			drop(v);
			return tpl_fail(t, "can't evaluate a field of a value that is not an object", s, len);
		}
		json_object *next;
		if (!json_object_object_get_ex(v->o, key, &next)) {
			drop(v);
			snprintf(t->why, t->why_size, "template: map has no entry for key \"%s\" in \"{{%.*s}}\"",
				 key, (int)(len > 60 ? 60 : len), s);
			return -1;
		}
		json_object_get(next);
		drop(v);
		*v = (struct val){ next, 0 };
	}
	return 0;
}

/* A quoted string with Go's common escapes. */
static json_object *string_literal(const char *s, size_t len)
{
	char *buf = malloc(len + 1), *o = buf;
	if (!buf)
		return NULL;
	for (size_t i = 1; i + 1 < len; i++) {
		char c = s[i];
		if (c == '\\' && i + 2 < len) {
			c = s[++i];
			c = c == 'n' ? '\n' : c == 't' ? '\t' : c;
		}
		*o++ = c;
	}
	*o = '\0';
	json_object *j = json_object_new_string(buf);
	free(buf);
	return j;
}

static int operand(struct tpl *t, json_object *dot, const char *s, size_t len, struct val *v)
{
	char *end;
	if (s[0] == '.')
		return field(t, dot, s, len, v);
	if (s[0] == '$')
		return field(t, t->root, s, len, v);
	if (s[0] == '"' && len >= 2 && s[len - 1] == '"') {
		*v = (struct val){ string_literal(s, len), 0 };
		return 0;
	}
	if (len == 4 && strncmp(s, "true", 4) == 0)
		return *v = (struct val){ json_object_new_boolean(1), 0 }, 0;
	if (len == 5 && strncmp(s, "false", 5) == 0)
		return *v = (struct val){ json_object_new_boolean(0), 0 }, 0;
	long long n = strtoll(s, &end, 10);
	if (end == s + len && len > 0)
		return *v = (struct val){ json_object_new_int64(n), 0 }, 0;
	return tpl_fail(t, "not a field, string or number", s, len);
}

static char *to_go_string(json_object *o)
{
	char *s = NULL;
	size_t n;
	FILE *f = open_memstream(&s, &n);
	if (!f)
		return NULL;
	print_go(f, o);
	fclose(f);
	return s;
}

/* index LIST N..., index OBJECT "KEY"... */
static int fn_index(struct tpl *t, struct val *a, int n, struct val *v, const char *s, size_t len)
{
	json_object *cur = a[0].o;
	for (int i = 1; i < n; i++) {
		json_object *k = a[i].o, *next = NULL;
		if (json_object_is_type(cur, json_type_array) && json_object_is_type(k, json_type_int)) {
			int64_t idx = json_object_get_int64(k);
			if (idx < 0 || (size_t)idx >= json_object_array_length(cur))
				return tpl_fail(t, "index out of range", s, len);
			next = json_object_array_get_idx(cur, (size_t)idx);
		} else if (json_object_is_type(cur, json_type_object) && json_object_is_type(k, json_type_string)) {
			if (!json_object_object_get_ex(cur, json_object_get_string(k), &next)) {
				*v = (struct val){ NULL, 1 };
				return 0;
			}
		} else {
			return tpl_fail(t, "can't index this value with that key", s, len);
		}
		cur = next;
	}
	*v = held(cur);
	return 0;
}

/* name and its evaluated arguments -> the result in v. */
static int call(struct tpl *t, const char *name, size_t nlen, struct val *a, int n, struct val *v,
		const char *s, size_t len)
{
#define IS(x) (nlen == strlen(x) && strncmp(name, x, nlen) == 0)
	int want = IS("json") || IS("len") || IS("upper") || IS("lower") ? 1 : IS("join") ? 2 : IS("index") ? -2 : 0;
	if (want == 0)
		return tpl_fail(t, "unknown function (json, index, join, len, upper, lower are known)", s, len);
	if (want > 0 ? n != want : n < -want)
		return tpl_fail(t, "wrong number of arguments", s, len);
	for (int i = 0; i < n; i++)
		if (a[i].missing && !IS("json"))
			return tpl_fail(t, "a missing field as an argument", s, len);
	if (IS("index"))
		return fn_index(t, a, n, v, s, len);
	if (IS("json")) {
		const char *j = a[0].missing ? "null" : json_object_to_json_string_ext(a[0].o,
			JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
		*v = (struct val){ json_object_new_string(j), 0 };
		return 0;
	}
	if (IS("len")) {
		json_object *o = a[0].o;
		size_t l = json_object_is_type(o, json_type_array) ? json_object_array_length(o)
			 : json_object_is_type(o, json_type_object) ? (size_t)json_object_object_length(o)
			 : json_object_is_type(o, json_type_string) ? (size_t)json_object_get_string_len(o) : (size_t)-1;
		if (l == (size_t)-1)
			return tpl_fail(t, "len of a value that has none", s, len);
		*v = (struct val){ json_object_new_int64((int64_t)l), 0 };
		return 0;
	}
	if (IS("join")) {
		json_object *l = a[0].o;
		if (!json_object_is_type(l, json_type_array) || !json_object_is_type(a[1].o, json_type_string))
			return tpl_fail(t, "join needs a list and a string", s, len);
		char *buf = NULL;
		size_t bl;
		FILE *f = open_memstream(&buf, &bl);
		for (size_t i = 0; f && i < json_object_array_length(l); i++) {
			fputs(i ? json_object_get_string(a[1].o) : "", f);
			print_go(f, json_object_array_get_idx(l, i));
		}
		if (f)
			fclose(f);
		*v = (struct val){ json_object_new_string(buf ? buf : ""), 0 };
		free(buf);
		return 0;
	}
	char *str = to_go_string(a[0].o); /* upper, lower */
	for (char *c = str; c && *c; c++)
		*c = (char)(IS("upper") ? toupper((unsigned char)*c) : tolower((unsigned char)*c));
	*v = (struct val){ json_object_new_string(str ? str : ""), 0 };
	free(str);
	return 0;
#undef IS
}

/* ---- pipelines --------------------------------------------------------------- */

/* The next word of a command (a quoted string is one word). */
static const char *word(const char *p, const char *end, size_t *len)
{
	while (p < end && isspace((unsigned char)*p))
		p++;
	const char *w = p;
	if (p < end && *p == '"') {
		for (p++; p < end && *p != '"'; p++)
			if (*p == '\\' && p + 1 < end)
				p++;
		p += p < end;
	} else {
		while (p < end && !isspace((unsigned char)*p))
			p++;
	}
	*len = (size_t)(p - w);
	return w;
}

/* One command of a pipeline: an operand, or a function and its arguments
 * (prev, the value of the command before the "|", comes last). */
static int command(struct tpl *t, json_object *dot, const char *s, size_t len, struct val *prev,
		   struct val *v)
{
	struct val a[16];
	int n = 0, rc = -1;
	size_t wl, nlen;
	const char *end = s + len, *name = word(s, end, &nlen), *p = name + nlen;
	int is_fn = nlen > 0 && isalpha((unsigned char)name[0]) && !(nlen == 4 && !strncmp(name, "true", 4)) &&
		    !(nlen == 5 && !strncmp(name, "false", 5));
	if (!is_fn) {
		if (prev || (word(p, end, &wl) && wl))
			return tpl_fail(t, "a value cannot take arguments", s, len);
		return operand(t, dot, name, nlen, v);
	}
	for (const char *w; (w = word(p, end, &wl)), wl; p = w + wl) {
		if (n == 15 || operand(t, dot, w, wl, &a[n]) < 0)
			goto out;
		n++;
	}
	if (prev)
		a[n++] = *prev, *prev = (struct val){ NULL, 0 };
	rc = call(t, name, nlen, a, n, v, s, len);
out:
	for (int i = 0; i < n; i++)
		drop(&a[i]);
	return rc;
}

/* "cmd | cmd | ..." (a "|" inside a quoted string is text). */
int pipeline(struct tpl *t, json_object *dot, const char *s, size_t len, struct val *v)
{
	struct val prev = { NULL, 0 };
	int have = 0;
	const char *p = s, *end = s + len;
	while (p <= end) {
		const char *q = p;
		for (int quoted = 0; q < end && (quoted || *q != '|'); q++)
			if (*q == '"' && (q == p || q[-1] != '\\'))
				quoted = !quoted;
		struct val out;
		if (command(t, dot, p, (size_t)(q - p), have ? &prev : NULL, &out) < 0) {
			drop(&prev);
			return -1;
		}
		drop(&prev);
		prev = out;
		have = 1;
		p = q + 1;
	}
	*v = prev;
	return 0;
}

