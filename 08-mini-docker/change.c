/* 08-mini-docker/change.c — see change.h. */
#define _GNU_SOURCE
#include "change.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "common.h"

/* CMD/ENTRYPOINT's argument: a JSON list of strings (exec form), else the
 * text for /bin/sh -c (shell form), as a Dockerfile reads it. NULL if a
 * list was meant but is not one of strings. */
static json_object *command_form(const char *arg)
{
	if (arg[0] == '[') {
		json_object *a = json_tokener_parse(arg);
		int ok = a && json_object_is_type(a, json_type_array);
		for (size_t i = 0; ok && i < json_object_array_length(a); i++)
			ok = json_object_is_type(json_object_array_get_idx(a, i), json_type_string);
		if (ok)
			return a;
		json_object_put(a);
		return NULL;
	}
	json_object *a = json_object_new_array();
	json_object_array_add(a, json_object_new_string("/bin/sh"));
	json_object_array_add(a, json_object_new_string("-c"));
	json_object_array_add(a, json_object_new_string(arg));
	return a;
}

/* Set K=V in the Env list, replacing an earlier K. */
static void env_set(json_object *config, const char *kv)
{
	json_object *env;
	if (!json_object_object_get_ex(config, "Env", &env) || !json_object_is_type(env, json_type_array)) {
		env = json_object_new_array();
		json_object_object_add(config, "Env", env);
	}
	size_t klen = (size_t)(strchr(kv, '=') - kv);
	for (size_t i = 0; i < json_object_array_length(env); i++) {
		const char *e = json_object_get_string(json_object_array_get_idx(env, i));
		if (e && strncmp(e, kv, klen + 1) == 0) {
			json_object_array_put_idx(env, i, json_object_new_string(kv));
			return;
		}
	}
	json_object_array_add(env, json_object_new_string(kv));
}

static int env_change(json_object *config, const char *arg)
{
	char buf[4096];
	const char *sp = strpbrk(arg, " \t"), *eq = strchr(arg, '=');
	if (!eq || (sp && sp < eq)) { /* ENV K V: the rest of the line is the value */
		if (!sp || sp == arg)
			return -1;
		size_t k = (size_t)(sp - arg);
		while (*sp == ' ' || *sp == '\t')
			sp++;
		if (snprintf(buf, sizeof(buf), "%.*s=%s", (int)k, arg, sp) >= (int)sizeof(buf))
			return -1;
		env_set(config, buf);
		return 0;
	}
	/* ENV K=V K2=V2: each word one variable (no quoting here) */
	snprintf(buf, sizeof(buf), "%s", arg);
	for (char *save = NULL, *w = strtok_r(buf, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (!strchr(w, '=') || w[0] == '=')
			return -1;
		env_set(config, w);
	}
	return 0;
}

int change_apply(json_object *config, const char *change, char *why, size_t why_size)
{
	char word[16];
	size_t n = 0;
	while (change[n] && !isspace((unsigned char)change[n]) && n + 1 < sizeof(word)) {
		word[n] = (char)toupper((unsigned char)change[n]);
		n++;
	}
	word[n] = '\0';
	const char *arg = change + n;
	while (isspace((unsigned char)*arg))
		arg++;
	int known = !strcmp(word, "CMD") || !strcmp(word, "ENTRYPOINT") || !strcmp(word, "ENV") ||
		    !strcmp(word, "WORKDIR") || !strcmp(word, "USER");
	if (!known) {
		snprintf(why, why_size, "-c '%.80s' is not supported; use CMD, ENTRYPOINT, ENV, WORKDIR "
			 "or USER", change);
		return -1;
	}
	int ok = *arg != '\0';
	if (ok && (!strcmp(word, "CMD") || !strcmp(word, "ENTRYPOINT"))) {
		json_object *a = command_form(arg);
		if (a)
			json_object_object_add(config, !strcmp(word, "CMD") ? "Cmd" : "Entrypoint", a);
		ok = a != NULL;
	} else if (ok && !strcmp(word, "ENV")) {
		ok = env_change(config, arg) == 0;
	} else if (ok) { /* WORKDIR or USER */
		ok = word[0] == 'U' || (arg[0] == '/' && !path_has_dotdot(arg));
		if (ok)
			json_object_object_add(config, word[0] == 'U' ? "User" : "WorkingDir",
					       json_object_new_string(arg));
	}
	if (!ok)
		snprintf(why, why_size, "-c '%.80s' is not valid; e.g. CMD [\"sh\",\"-c\",\"echo hi\"], "
			 "ENV K=V, WORKDIR /absolute/path", change);
	return ok ? 0 : -1;
}
