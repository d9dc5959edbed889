/* 08-mini-docker/record.c — see record.h. Pure: nothing here touches a
 * file; store.c reads and writes what these functions produce. */
#define _GNU_SOURCE
#include "record.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

/* ---- time and words -------------------------------------------------- */

const char *format_rfc3339(const struct timespec *ts, char *buf, size_t size)
{
	struct tm tm;
	time_t t = ts->tv_sec;
	gmtime_r(&t, &tm);
	char date[32];
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%09ldZ", date, (long)ts->tv_nsec);
	return buf;
}

int parse_rfc3339(const char *s, struct timespec *ts)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	const char *p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p)
		return -1;
	long ns = 0;
	if (*p == '.') {
		int digits = 0;
		for (p++; *p >= '0' && *p <= '9'; p++, digits++)
			if (digits < 9)
				ns = ns * 10 + (*p - '0');
		if (digits == 0)
			return -1;
		for (; digits < 9; digits++)
			ns *= 10;
	}
	if (strcmp(p, "Z") != 0)
		return -1;
	ts->tv_sec = timegm(&tm);
	ts->tv_nsec = ns;
	return 0;
}

/* Docker's units.HumanDuration. */
const char *human_duration(long long s, char *buf, size_t size)
{
	long long m = s / 60, h = m / 60, d = h / 24;
	if (s < 1)
		snprintf(buf, size, "Less than a second");
	else if (s == 1)
		snprintf(buf, size, "1 second");
	else if (s < 60)
		snprintf(buf, size, "%lld seconds", s);
	else if (m == 1)
		snprintf(buf, size, "About a minute");
	else if (m < 60)
		snprintf(buf, size, "%lld minutes", m);
	else if (h == 1)
		snprintf(buf, size, "About an hour");
	else if (h < 48)
		snprintf(buf, size, "%lld hours", h);
	else if (d < 14)
		snprintf(buf, size, "%lld days", d);
	else if (d < 60)
		snprintf(buf, size, "%lld weeks", d / 7);
	else if (d < 730)
		snprintf(buf, size, "%lld months", d / 30);
	else
		snprintf(buf, size, "%lld years", d / 365);
	return buf;
}

const char *format_status(const struct ctr *c, time_t now, char *buf, size_t size)
{
	char d[64];
	switch (c->status) {
	case CTR_RUNNING:
		snprintf(buf, size, "Up %s", human_duration(now - c->started.tv_sec, d, sizeof(d)));
		break;
	case CTR_EXITED:
		snprintf(buf, size, "Exited (%d) %s ago", c->exit_code,
			 human_duration(now - c->finished.tv_sec, d, sizeof(d)));
		break;
	default:
		snprintf(buf, size, "Created");
	}
	return buf;
}

/* ---- JSON -------------------------------------------------------------- */

static const char *const status_names[] = { "created", "running", "exited" };

static json_object *str_array(char *const *v, int n)
{
	json_object *a = json_object_new_array();
	for (int i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

static void add_time(json_object *o, const char *key, const struct timespec *ts)
{
	char buf[48];
	if (ts->tv_sec == 0)
		json_object_object_add(o, key, json_object_new_string("0001-01-01T00:00:00Z"));
	else
		json_object_object_add(o, key, json_object_new_string(format_rfc3339(ts, buf, sizeof(buf))));
}

static const char *get_str(json_object *o, const char *key);

/* Docker's HostConfig.PortBindings: {"80/tcp": [{"HostIp": "", "HostPort": "8080"}]} */
static json_object *port_bindings(const struct ctr *c)
{
	json_object *b = json_object_new_object();
	for (int i = 0; i < c->nports; i++) {
		struct port_map p;
		char why[128], key[16], ip[16], port[8];
		if (port_parse(c->ports[i], &p, why, sizeof(why)) < 0)
			continue; /* checked when given */
		snprintf(key, sizeof(key), "%u/%s", p.ctr_port, p.proto);
		snprintf(port, sizeof(port), "%u", p.host_port);
		json_object *a, *one = json_object_new_object();
		if (!json_object_object_get_ex(b, key, &a)) {
			a = json_object_new_array();
			json_object_object_add(b, key, a);
		}
		json_object_object_add(one, "HostIp", json_object_new_string(p.host_ip ?
					ip4_format(p.host_ip, ip, sizeof(ip)) : ""));
		json_object_object_add(one, "HostPort", json_object_new_string(port));
		json_object_array_add(a, one);
	}
	return b;
}

/* ... and back to -p texts. */
static void get_ports(struct ctr *c, json_object *hc)
{
	json_object *b;
	if (!json_object_object_get_ex(hc, "PortBindings", &b) || !json_object_is_type(b, json_type_object))
		return;
	json_object_object_foreach(b, key, a) {
		size_t n = json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
		for (size_t i = 0; i < n && c->nports < MAX_PORTS; i++) {
			json_object *one = json_object_array_get_idx(a, i);
			const char *ip = get_str(one, "HostIp"), *port = get_str(one, "HostPort");
			char spec[48], why[128];
			struct port_map p;
			if (!port || strlen(key) > 12 || strlen(port) > 5 || (ip && strlen(ip) > 15))
				continue;
			snprintf(spec, sizeof(spec), "%s%s%s:%s", ip && *ip ? ip : "", ip && *ip ? ":" : "",
				 port, key);
			if (port_parse(spec, &p, why, sizeof(why)) == 0)
				snprintf(c->ports[c->nports++], sizeof(c->ports[0]), "%s", spec);
		}
	}
}

char *ctr_to_json(const struct ctr *c, int which)
{
	json_object *o = json_object_new_object();
	if (which == 1) {
		/* runtime: meaningless after a reboot, so it lives in /run */
		json_object_object_add(o, "Pid", json_object_new_int(c->pid));
		json_object_object_add(o, "PidStartTime", json_object_new_uint64(c->pid_start));
		json_object_object_add(o, "Runner", json_object_new_int(c->runner));
		json_object_object_add(o, "RunnerStartTime", json_object_new_uint64(c->runner_start));
		json_object_object_add(o, "Status", json_object_new_string(status_names[c->status]));
		add_time(o, "StartedAt", &c->started);
		json_object_object_add(o, "IPAddress", json_object_new_string(c->ip_address));
	} else {
		json_object_object_add(o, "Id", json_object_new_string(c->id));
		json_object_object_add(o, "Name", json_object_new_string(c->name));
		json_object_object_add(o, "Image", json_object_new_string(c->image));
		json_object_object_add(o, "ImageId", json_object_new_string(c->image_id));
		add_time(o, "Created", &c->created);
		json_object *st = json_object_new_object();
		json_object_object_add(st, "Status", json_object_new_string(status_names[c->status]));
		json_object_object_add(st, "ExitCode", json_object_new_int(c->exit_code));
		json_object_object_add(st, "OOMKilled", json_object_new_boolean(c->oom_killed));
		json_object_object_add(st, "Error", json_object_new_string(c->error));
		add_time(st, "StartedAt", &c->started);
		add_time(st, "FinishedAt", &c->finished);
		json_object_object_add(o, "State", st);
		json_object *cfg = json_object_new_object();
		json_object_object_add(cfg, "Hostname", json_object_new_string(c->hostname));
		json_object_object_add(cfg, "Cmd", str_array(c->argv, c->argc));
		json_object_object_add(cfg, "Env", str_array(c->env, c->nenv));
		json_object_object_add(cfg, "WorkingDir", json_object_new_string(c->workdir));
		json_object_object_add(cfg, "User", json_object_new_string(c->user));
		json_object_object_add(cfg, "Tty", json_object_new_boolean(c->tty));
		json_object_object_add(o, "Config", cfg);
		json_object *hc = json_object_new_object();
		json_object_object_add(hc, "AutoRemove", json_object_new_boolean(c->auto_remove));
		json_object_object_add(hc, "Detached", json_object_new_boolean(c->detached));
		json_object_object_add(hc, "Rootless", json_object_new_boolean(c->rootless));
		json_object_object_add(hc, "Init", json_object_new_boolean(c->init));
		json_object_object_add(hc, "Memory", json_object_new_int64(c->memory));
		json_object_object_add(hc, "CpuQuota", json_object_new_int64(c->cpu_quota));
		json_object_object_add(hc, "CpuPeriod", json_object_new_int64(c->cpu_period));
		json_object_object_add(hc, "PidsLimit", json_object_new_int64(c->pids));
		json_object_object_add(hc, "Seccomp", json_object_new_string(c->seccomp));
		json_object_object_add(hc, "NetworkMode", json_object_new_string(c->network));
		json_object_object_add(hc, "PortBindings", port_bindings(c));
		json_object_object_add(o, "HostConfig", hc);

		json_object *mounts = json_object_new_array();
		for (int i = 0; i < c->nvol; i++) {
			json_object *m = json_object_new_object();
			json_object_object_add(m, "Source", json_object_new_string(c->vol[i].host));
			json_object_object_add(m, "Destination", json_object_new_string(c->vol[i].container));
			json_object_object_add(m, "RW", json_object_new_boolean(!c->vol[i].readonly));
			json_object_array_add(mounts, m);
		}
		json_object_object_add(o, "Mounts", mounts);
		json_object *gd = json_object_new_object();
		json_object_object_add(gd, "Lower", str_array(c->lower, c->nlower));
		json_object_object_add(o, "GraphDriver", gd);
	}
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
						       JSON_C_TO_STRING_NOSLASHESCAPE);
	char *copy = strdup(s);
	json_object_put(o);
	return copy; /* NULL: out of memory, for the caller to report */
}

static const char *get_str(json_object *o, const char *key)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static long long get_int(json_object *o, const char *key, long long dflt)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v))
		return dflt;
	return json_object_get_int64(v);
}

static int copy_str(char *dst, size_t size, const char *src)
{
	if (!src || strlen(src) >= size)
		return -1;
	memcpy(dst, src, strlen(src) + 1);
	return 0;
}

static int get_time(json_object *o, const char *key, struct timespec *ts)
{
	const char *s = get_str(o, key);
	ts->tv_sec = ts->tv_nsec = 0;
	if (!s)
		return -1;
	if (strncmp(s, "0001-", 5) == 0)
		return 0;
	return parse_rfc3339(s, ts);
}

/* A JSON array of strings into a malloc'd NULL-terminated vector. */
static int get_strv(json_object *o, const char *key, char ***out, int *n, int max)
{
	json_object *a;
	*out = NULL;
	*n = 0;
	if (!json_object_object_get_ex(o, key, &a) || !json_object_is_type(a, json_type_array))
		return -1;
	size_t len = json_object_array_length(a);
	if ((int)len > max)
		return -1;
	char **v = calloc(len + 1, sizeof(char *));
	if (!v)
		return -1;
	for (size_t i = 0; i < len; i++) {
		json_object *e = json_object_array_get_idx(a, i);
		if (!json_object_is_type(e, json_type_string)) {
			*out = v;
			*n = (int)i;
			return -1;
		}
		v[i] = strdup(json_object_get_string(e));
	}
	*out = v;
	*n = (int)len;
	return 0;
}

/* State and Config: 0, or -1 if a field that must be there is not. */
static int get_state_config(struct ctr *c, json_object *st, json_object *cfg, json_object *hc)
{
	const char *s = get_str(st, "Status");
	c->status = CTR_EXITED;
	for (int i = 0; s && i < 3; i++)
		if (strcmp(s, status_names[i]) == 0)
			c->status = (enum ctr_status)i;
	c->exit_code = (int)get_int(st, "ExitCode", 0);
	c->oom_killed = (int)get_int(st, "OOMKilled", 0);
	copy_str(c->error, sizeof(c->error), get_str(st, "Error"));
	copy_str(c->user, sizeof(c->user), get_str(cfg, "User"));
	copy_str(c->seccomp, sizeof(c->seccomp), get_str(hc, "Seccomp"));
	get_time(st, "StartedAt", &c->started);
	get_time(st, "FinishedAt", &c->finished);
	return copy_str(c->hostname, sizeof(c->hostname), get_str(cfg, "Hostname")) == 0 &&
	       copy_str(c->workdir, sizeof(c->workdir), get_str(cfg, "WorkingDir")) == 0 &&
	       get_strv(cfg, "Cmd", &c->argv, &c->argc, 4096) == 0 &&
	       get_strv(cfg, "Env", &c->env, &c->nenv, 4096) == 0 ? 0 : -1;
}

/* HostConfig, the layers and the volumes: 0, or -1 if one is malformed. */
static int get_host(struct ctr *c, json_object *cfg, json_object *hc, json_object *gd,
		    json_object *mounts)
{
	/* the lowers go into a fixed array */
	char **lv = NULL;
	int n = 0;
	int ok = get_strv(gd, "Lower", &lv, &n, MAX_LAYERS) == 0;
	for (int i = 0; i < n; i++)
		c->lower[i] = lv[i];
	c->nlower = n;
	free(lv);
	c->tty = (int)get_int(cfg, "Tty", 0);
	c->auto_remove = (int)get_int(hc, "AutoRemove", 0);
	c->detached = (int)get_int(hc, "Detached", 0);
	c->rootless = (int)get_int(hc, "Rootless", 0);
	c->init = (int)get_int(hc, "Init", 0);
	c->memory = get_int(hc, "Memory", -1);
	c->cpu_quota = get_int(hc, "CpuQuota", -1);
	c->cpu_period = get_int(hc, "CpuPeriod", 100000);
	c->pids = get_int(hc, "PidsLimit", -1);
	copy_str(c->network, sizeof(c->network), get_str(hc, "NetworkMode"));
	get_ports(c, hc);
	size_t nm = json_object_is_type(mounts, json_type_array) ? json_object_array_length(mounts) : 0;
	ok = ok && json_object_is_type(mounts, json_type_array);
	for (size_t i = 0; ok && i < nm && i < MAX_VOLUMES; i++) {
		json_object *m = json_object_array_get_idx(mounts, i);
		const char *src = get_str(m, "Source"), *dst = get_str(m, "Destination");
		ok = src && dst;
		if (ok) {
			c->vol[i].host = strdup(src);
			c->vol[i].container = strdup(dst);
			c->vol[i].readonly = !get_int(m, "RW", 1);
			c->nvol++;
		}
	}
	return ok ? 0 : -1;
}

/* The runtime part (pids), over what the persistent part said. */
static void get_runtime(struct ctr *c, const char *runtime)
{
	json_object *r = json_tokener_parse(runtime);
	if (r && json_object_is_type(r, json_type_object)) {
		c->pid = (pid_t)get_int(r, "Pid", 0);
		c->pid_start = (unsigned long long)get_int(r, "PidStartTime", 0);
		c->runner = (pid_t)get_int(r, "Runner", 0);
		c->runner_start = (unsigned long long)get_int(r, "RunnerStartTime", 0);
		copy_str(c->ip_address, sizeof(c->ip_address), get_str(r, "IPAddress"));
		/* "running" lives only here: see ctr_save */
		const char *st = get_str(r, "Status");
		if (c->status == CTR_CREATED && st && strcmp(st, "running") == 0) {
			c->status = CTR_RUNNING;
			get_time(r, "StartedAt", &c->started);
		}
	}
	json_object_put(r);
}

int ctr_from_json(struct ctr *c, const char *persistent, const char *runtime,
		  char *why, size_t why_size)
{
	memset(c, 0, sizeof(*c));
	json_object *o = json_tokener_parse(persistent), *st, *cfg, *hc, *gd, *mounts;
	if (!o || !json_object_is_type(o, json_type_object)) {
		snprintf(why, why_size, "not a JSON object");
		json_object_put(o);
		return -1;
	}
	int ok = copy_str(c->id, sizeof(c->id), get_str(o, "Id")) == 0 &&
		 copy_str(c->name, sizeof(c->name), get_str(o, "Name")) == 0 &&
		 copy_str(c->image, sizeof(c->image), get_str(o, "Image")) == 0 &&
		 copy_str(c->image_id, sizeof(c->image_id), get_str(o, "ImageId")) == 0 &&
		 get_time(o, "Created", &c->created) == 0 &&
		 json_object_object_get_ex(o, "State", &st) &&
		 json_object_object_get_ex(o, "Config", &cfg) &&
		 json_object_object_get_ex(o, "HostConfig", &hc) &&
		 json_object_object_get_ex(o, "GraphDriver", &gd) &&
		 json_object_object_get_ex(o, "Mounts", &mounts);
	ok = ok && get_state_config(c, st, cfg, hc) == 0 && get_host(c, cfg, hc, gd, mounts) == 0;
	json_object_put(o);
	if (!ok) {
		ctr_free(c); /* whatever was read before the bad field */
		snprintf(why, why_size, "a field is missing or has the wrong type");
		return -1;
	}
	if (runtime)
		get_runtime(c, runtime);
	return 0;
}

void ctr_free(struct ctr *c)
{
	for (int i = 0; c->argv && i < c->argc; i++)
		free(c->argv[i]);
	for (int i = 0; c->env && i < c->nenv; i++)
		free(c->env[i]);
	free(c->argv);
	free(c->env);
	for (int i = 0; i < c->nlower; i++)
		free(c->lower[i]);
	for (int i = 0; i < c->nvol; i++) {
		free((char *)c->vol[i].host);
		free((char *)c->vol[i].container);
	}
	memset(c, 0, sizeof(*c));
}
