/* 08-mini-docker/change.h — `commit -c`: one Dockerfile instruction applied
 * to the new image's config ("config" of the image JSON), the common ones:
 *
 *   CMD ["a","b"]  or  CMD a b      (shell form: ["/bin/sh","-c","a b"])
 *   ENTRYPOINT ... the same         ENV K=V [K2=V2...]  or  ENV K V
 *   WORKDIR /abs/path               USER name[:group]
 *
 * Pure: a json-c object in, changed in place. */
#ifndef CHANGE_H
#define CHANGE_H

#include <json-c/json.h>
#include <stddef.h>

/* 0, or -1 with a reason naming the change and what is accepted. */
int change_apply(json_object *config, const char *change, char *why, size_t why_size);

#endif
