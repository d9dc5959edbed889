/* 08-mini-docker/claim.c — the state side of run and start: the image
 * resolved, the name taken, the record written, under the store lock. See
 * runner.h. */
#define _GNU_SOURCE
#include "runner.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "overlay.h"


/* The command, environment and working directory: the image's defaults,
 * overridden by the user's. 0 or -1 with a reason. */
static int apply_image(struct run_opts *o, const struct image_ref *img, char ***argv,
		       char *why, size_t why_size)
{
	/* Docker's rule: the entrypoint, then the command given to run or,
	 * without one, the image's Cmd. --entrypoint replaces the image's
	 * entrypoint and drops its Cmd ("" leaves no entrypoint at all). */
	char *const *entry = img->entrypoint;
	int nentry = img->nentry, nuser = 0;
	char *given[1] = { (char *)o->entrypoint };
	if (o->entrypoint) {
		entry = given;
		nentry = o->entrypoint[0] ? 1 : 0;
	}
	while (o->argv[nuser])
		nuser++;
	char *const *rest = nuser ? o->argv : (o->entrypoint ? NULL : img->cmd);
	int nrest = nuser ? nuser : (o->entrypoint ? 0 : img->ncmd);
	if (nentry + nrest == 0) {
		snprintf(why, why_size, "no command given and image '%s' has no default command; "
			 "usage: mini-docker run [OPTIONS] IMAGE COMMAND [ARG...]", o->image);
		return -1;
	}
	*argv = calloc((size_t)(nentry + nrest + 1), sizeof(char *));
	if (!*argv) {
		snprintf(why, why_size, "the command: out of memory");
		return -1;
	}
	for (int i = 0; i < nentry; i++)
		(*argv)[i] = entry[i];
	for (int i = 0; i < nrest; i++)
		(*argv)[nentry + i] = rest[i];
	o->argv = *argv;
	if (!o->user && img->user[0])
		o->user = img->user;
	if (img->nenv + o->nenv > MAX_ENV) {
		snprintf(why, why_size, "image and -e give more than %d variables", MAX_ENV);
		return -1;
	}
	memmove(o->env + img->nenv, o->env, (size_t)o->nenv * sizeof(o->env[0]));
	for (int i = 0; i < img->nenv; i++) {
		if (env_check(img->env[i], why, why_size) < 0) {
			snprintf(why, why_size, "image '%s' has a bad Env entry '%.60s'", o->image, img->env[i]);
			return -1;
		}
		o->env[i] = img->env[i];
	}
	o->nenv += img->nenv;
	if (!o->workdir && img->workdir[0]) {
		if (img->workdir[0] != '/' || path_has_dotdot(img->workdir)) {
			snprintf(why, why_size, "image '%s' has a bad WorkingDir '%.60s'", o->image, img->workdir);
			return -1;
		}
		o->workdir = img->workdir;
	}
	return 0;
}

/* A copy of n strings, NULL-terminated; NULL (errno ENOMEM) if one could
 * not be made. */
static char **strv_dup(char *const *v, int n)
{
	char **out = calloc((size_t)n + 1, sizeof(char *));
	for (int i = 0; out && i < n; i++)
		if (!(out[i] = strdup(v[i]))) {
			while (i-- > 0)
				free(out[i]);
			free(out);
			out = NULL;
		}
	return out;
}

/* The record `ps`, `inspect`, `exec` and `rm` will read. 0, or -1 with
 * errno ENOMEM (what was copied is ctr_free's). */
static int record_init(struct ctr *r, const struct run_opts *o, const struct image_ref *img,
			const struct container *c, const char *name)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->id, sizeof(r->id), "%s", c->id);
	snprintf(r->name, sizeof(r->name), "%s", name);
	snprintf(r->image, sizeof(r->image), "%s", o->image);
	snprintf(r->image_id, sizeof(r->image_id), "%s", img->id);
	snprintf(r->hostname, sizeof(r->hostname), "%s", c->hostname);
	snprintf(r->workdir, sizeof(r->workdir), "%s", o->workdir ? o->workdir : "/");
	snprintf(r->user, sizeof(r->user), "%s", o->user ? o->user : "");
	snprintf(r->seccomp, sizeof(r->seccomp), "%s", o->seccomp ? o->seccomp : "");
	clock_gettime(CLOCK_REALTIME, &r->created);
	r->status = CTR_CREATED;
	r->runner = getpid();
	r->runner_start = proc_start_time(r->runner);
	r->tty = o->tty;
	r->rootless = o->rootless;
	r->auto_remove = o->rm;
	r->detached = o->detach;
	r->init = o->init;
	r->memory = o->memory;
	r->cpu_quota = o->cpu_quota;
	r->cpu_period = o->cpu_period;
	r->pids = o->pids;
	net_record(r, o);
	for (r->argc = 0; o->argv[r->argc]; r->argc++)
		;
	if (!(r->argv = strv_dup(o->argv, r->argc)))
		return -1;
	if (!(r->env = strv_dup((char *const *)o->env, o->nenv)))
		return -1;
	r->nenv = o->nenv;
	for (int i = 0; i < o->nvol; i++) {
		r->nvol = i + 1;
		r->vol[i].readonly = o->vol[i].readonly;
		if (!(r->vol[i].host = strdup(o->vol[i].host)) ||
		    !(r->vol[i].container = strdup(o->vol[i].container)))
			return -1;
	}
	for (int i = 0; i < img->nlower; i++)
		if (!(r->lower[r->nlower++] = strdup(img->lower[i])))
			return -1;
	return 0;
}

void opts_from_record(const struct ctr *saved, struct run_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->tty = saved->tty;
	o->rootless = saved->rootless;
	o->init = saved->init;
	o->name = saved->name;
	o->hostname = saved->hostname;
	o->workdir = saved->workdir;
	o->user = saved->user;
	o->seccomp = saved->seccomp;
	o->image = saved->image;
	o->memory = saved->memory;
	o->cpu_quota = saved->cpu_quota;
	o->cpu_period = saved->cpu_period;
	o->pids = saved->pids;
	for (int i = 0; i < saved->nenv && i < MAX_ENV; i++)
		o->env[o->nenv++] = saved->env[i];
	for (int i = 0; i < saved->nvol && i < MAX_VOLUMES; i++)
		o->vol[o->nvol++] = saved->vol[i];
	o->argv = saved->argv;
	net_opts_restore(o, saved);
}

/* Save the record under the lock. */
int record_save(const char *root, const char *run, const struct ctr *r)
{
	int lock = state_lock(root);
	if (lock < 0)
		return -1;
	int rc = ctr_save(root, run, r);
	state_unlock(lock);
	return rc;
}

/* ROOT/containers/<id> and the overlay dirs in it. 0 or -1 (printed). */
static int set_paths(struct runner *r)
{
	if (ctr_dir(r->root, r->c.id, r->cdir, sizeof(r->cdir)) < 0 ||
	    ctr_overlay_path(r->root, r->c.id, "upper", r->c.upper, sizeof(r->c.upper)) < 0 ||
	    ctr_overlay_path(r->root, r->c.id, "work", r->c.work, sizeof(r->c.work)) < 0 ||
	    ctr_overlay_path(r->root, r->c.id, "merged", r->c.merged, sizeof(r->c.merged)) < 0)
		return warn_errno("the directories of %.12s in %s", r->c.id, r->root);
	return 0;
}

/* Under the lock: tidy up after killed runners, resolve the image (an rmi
 * cannot delete its layers under us), claim the name, write the record. A
 * `run` killed in here leaves a dir without config.json, which the next
 * state_reconcile removes. */
int claim(struct runner *r)
{
	struct run_opts *o = r->o;
	struct container *c = &r->c;
	char why[PATH_MAX + 256];
	if ((r->lock = state_lock(r->root)) < 0)
		return -1;
	state_reconcile(r->root, r->run);
	if (image_resolve(r->root, o->image, &r->img, why, sizeof(why)) < 0 ||
	    apply_image(o, &r->img, &r->argv, why, sizeof(why)) < 0) {
		fprintf(stderr, "mini-docker: %s\n", why);
		return -1;
	}
	c->lowers = (const char *const *)r->img.lower;
	c->nlowers = (size_t)r->img.nlower;
	if (random_hex64(c->id) < 0)
		return warn_errno("getrandom");
	snprintf(c->hostname, sizeof(c->hostname), "%s", o->hostname ? o->hostname : c->id);
	if (!o->hostname)
		c->hostname[12] = '\0';
	/* --name (checked: at most 63 characters), or the short id */
	char name[sizeof(r->rec.name)];
	snprintf(name, sizeof(name), "%.*s", o->name ? 63 : 12, o->name ? o->name : c->id);
	/* symlink(2) is atomic: of two runs with one name, exactly one wins. */
	if (ctr_name_path(r->root, name, r->namelink, sizeof(r->namelink)) < 0)
		return warn_errno("the name %s in %s", name, r->root);
	if (symlink(c->id, r->namelink) < 0) {
		char other[128] = "";
		ssize_t n = readlink(r->namelink, other, sizeof(other) - 1);
		if (errno == EEXIST || n > 0)
			fprintf(stderr, "mini-docker: the name '%s' is already in use by container %.12s; "
				"remove it with 'mini-docker rm %s' or choose another\n", name,
				n > 0 ? other : "?", name);
		else
			warn_errno("symlink %s", r->namelink);
		return -1;
	}
	r->named = 1;
	if (set_paths(r) < 0)
		return -1;
	if (mkdir(r->cdir, 0700) < 0)
		return warn_errno("mkdir %s", r->cdir);
	r->recorded = 1;
	if (mkdir(c->upper, 0755) < 0 || mkdir(c->work, 0700) < 0 || mkdir(c->merged, 0755) < 0)
		return warn_errno("mkdir in %s", r->cdir);
	if (record_init(&r->rec, o, &r->img, c, name) < 0)
		return warn_errno("the record of %.12s", c->id);
	if (ctr_save(r->root, r->run, &r->rec) < 0)
		return -1;
	state_unlock(r->lock);
	r->lock = -1;
	return 0;
}

/* start: the same container again. Its id, name, upper dir and log are
 * kept; under the lock its record (loaded again: another command may have
 * started or removed it meanwhile) becomes "created" by this runner. */
int reclaim(struct runner *r)
{
	struct container *c = &r->c;
	if ((r->lock = state_lock(r->root)) < 0)
		return -1;
	state_reconcile(r->root, r->run);
	if (ctr_load(r->root, r->run, r->saved->id, &r->rec) < 0) {
		fprintf(stderr, "mini-docker: start: container %s was removed meanwhile\n", r->saved->name);
		return -1;
	}
	if (r->rec.status != CTR_EXITED) {
		fprintf(stderr, "mini-docker: start: container %s was started meanwhile\n", r->rec.name);
		return -1;
	}
	snprintf(c->id, sizeof(c->id), "%s", r->rec.id);
	snprintf(c->hostname, sizeof(c->hostname), "%s", r->rec.hostname);
	c->lowers = (const char *const *)r->rec.lower;
	c->nlowers = (size_t)r->rec.nlower;
	if (set_paths(r) < 0)
		return -1;
	r->rec.status = CTR_CREATED;
	r->rec.exit_code = r->rec.oom_killed = 0;
	r->rec.pid = 0;
	r->rec.pid_start = 0;
	r->rec.runner = getpid();
	r->rec.runner_start = proc_start_time(r->rec.runner);
	r->rec.detached = r->o->detach;
	memset(&r->rec.finished, 0, sizeof(r->rec.finished));
	r->recorded = 1;
	if (ctr_save(r->root, r->run, &r->rec) < 0)
		return -1;
	state_unlock(r->lock);
	r->lock = -1;
	return 0;
}
