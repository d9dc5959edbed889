/* 08-mini-docker/template.h — `inspect -f`: the part of Go's text/template
 * that people type after `docker inspect -f`, run on the JSON that
 * inspect would print. Pure: text and a json-c object in, text out.
 *
 *   {{.Id}}  {{.RootFS.Layers}}  {{.Config.Env}}   a field, printed as Go's
 *            fmt %v prints it: a list as [a b], an object as map[k:v]
 *   {{json .Config}}                     the value as JSON
 *   {{range .RootFS.Layers}}{{.}}{{"\n"}}{{end}}   . is each element
 *   {{range .X}}...{{else}}none{{end}}, {{if .X}}...{{else}}...{{end}}
 *   {{index .RepoTags 0}}  {{index .Config.Labels "k"}}
 *   {{join .Config.Cmd " "}} {{len .RootFS.Layers}} {{upper .Os}} {{lower .X}}
 *   {{.Config.Cmd | json}}                a pipe: the value as the last argument
 *   {{- trims the text before, -}} the text after
 *   $ is the whole object, inside a range as well
 *
 * A field the object lacks is an error ("map has no entry for key"), as in
 * Docker's CLI, which runs the template on the JSON with missingkey=error;
 * a JSON null prints "[]" (Docker's fields that can be null are lists). */
#ifndef TEMPLATE_H
#define TEMPLATE_H

#include <json-c/json.h>
#include <stddef.h>

/* Run tmpl on data: a malloc'd string, or NULL with a reason naming the
 * bad action ("template: ... unknown function \"foo\""). */
/* Only parse it: a bad template is refused before anything is looked up
 * (Docker exits 64 then). 0, or -1 with a reason. */
int template_check(const char *tmpl, char *why, size_t why_size);
char *template_render(const char *tmpl, json_object *data, char *why, size_t why_size);

#endif
