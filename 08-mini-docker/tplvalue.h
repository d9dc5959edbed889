/* 08-mini-docker/tplvalue.h — what template.c (the nodes, range, if) and
 * tplvalue.c (values, fields, functions, pipelines) share. Internal. */
#ifndef TPLVALUE_H
#define TPLVALUE_H

#include <json-c/json.h>
#include <stdio.h>

enum kind { N_TEXT, N_ACT, N_RANGE, N_IF, N_ELSE, N_END };

struct node {
	enum kind kind;
	const char *s; /* text, or the action without its keyword */
	size_t len;
	int alt, end;  /* range/if: the index of its {{else}} (or -1) and {{end}} */
};

struct tpl {
	struct node *n;
	int count;
	json_object *root;
	FILE *out;
	char *why;
	size_t why_size;
};

struct val {
	json_object *o; /* held; NULL is JSON null */
	int missing;
};

/* One line in t->why naming the action; -1. */
int tpl_fail(struct tpl *t, const char *what, const char *s, size_t len);
/* The value as Go's fmt %v prints it. */
void print_go(FILE *out, json_object *o);
/* Go's truth: false, 0, "", empty, null and missing are false. */
int truthy(struct val v);
void drop(struct val *v);
/* An object's keys sorted (the strings are the object's); free the array. */
char **sorted_keys(json_object *o, size_t *n);
/* Evaluate "cmd | cmd ..." with dot as ".": v is held (drop it). 0 or -1. */
int pipeline(struct tpl *t, json_object *dot, const char *s, size_t len, struct val *v);

#endif
