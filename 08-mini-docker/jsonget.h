/* 08-mini-docker/jsonget.h — reading JSON that someone else wrote.
 *
 * A record, an image archive's manifest or a seccomp profile is input:
 * any value can have any type. json-c's array functions assert (abort)
 * when handed an object, and json_object_get_string(NULL) — what a JSON
 * null element gives — is NULL. These two never do either: a value of
 * the wrong type reads as absent, an element that is not a string as "". */
#ifndef MINI_DOCKER_JSONGET_H
#define MINI_DOCKER_JSONGET_H

#include <json-c/json.h>
#include <stddef.h>

/* o[key] if it is an array, else NULL (o may be NULL or not an object). */
static inline json_object *json_key_array(json_object *o, const char *key)
{
	json_object *v;
	if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_array))
		return NULL;
	return v;
}

/* a[i] if it is a string, else "". */
static inline const char *json_elem_str(json_object *a, size_t i)
{
	json_object *e = json_object_array_get_idx(a, i);
	return json_object_is_type(e, json_type_string) ? json_object_get_string(e) : "";
}

#endif
