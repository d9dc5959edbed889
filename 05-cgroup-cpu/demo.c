/* 05-cgroup-cpu/demo.c — a busy loop at ~100% of a CPU is cut to ~50% by
 * cpu.max "50000 100000" (v1: cpu.cfs_quota_us/cpu.cfs_period_us), measured
 * from the cgroup's own CPU accounting; --weight shows cpu.weight/cpu.shares
 * splitting one CPU 25/75 between two busy groups; --move-in moves a loop
 * already running into the cgroup (cgtour.c), --controllers lists what each
 * layout offers and what a new cgroup directory holds.
 * Reproduces: notes 000 "cgroups" (top: 99.7% -> 49.8%) and notes 001
 * "cpu" (cfs_quota_us, cfs_period_us, shares). See cgroups(7) and the
 * kernel's Documentation/admin-guide/cgroup-v2.rst ("cpu"). Needs root. */
#define _GNU_SOURCE
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "cgtour.h"
#include "cgvalue.h"
#include "common.h"
#include "loops.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: 05-cgroup-cpu/demo [--cpus N | --quota US [--period US]] [--seconds S]\n"
		"                          [--loops N] [--csv FILE] [--weight | --move-in | --controllers]\n"
		"Run busy loops in a cgroup of their own, first unlimited, then under cpu.max,\n"
		"printing the CPU share measured from the cgroup's accounting. Needs root.\n"
		"  --cpus N       limit as a number of CPUs (default 0.5 = \"50000 100000\")\n"
		"  --quota US     cpu.max quota in microseconds per period\n"
		"  --period US    cpu.max period in microseconds (default 100000)\n"
		"  --seconds S    seconds per phase, 1..60 (default 5)\n"
		"  --loops N      busy loops, 1..%d (default 1; 2 loops can use 200%%)\n"
		"  --csv FILE     write one row per sample: t,phase,group,share,nr_throttled,throttled_us\n"
		"  --weight       two groups at cpu.weight 100 vs 300 (v1 cpu.shares 256 vs 768),\n"
		"                 both pinned to CPU 0: expect 25%% / 75%%\n"
		"  --move-in      the blog's order: a loop runs at ~100%%, then its pid is written\n"
		"                 to cgroup.procs; a top-like line per second (/proc/PID/stat)\n"
		"  --controllers  /proc/cgroups, the cgroup mounts, and the files of a new cgroup\n"
		"  --help         this text\n", MAX_LOOPS);
}

struct options {
	long long quota, period;        /* cpu.max, in microseconds */
	const char *csv_path;
	int seconds, loops, weight, move_in, controllers;
};

/* The command line into o; dies with a message on anything it cannot use. */
static void parse_args(int argc, char **argv, struct options *o)
{
	const char *cpus = NULL, *quota_s = NULL, *period_s = NULL;
	char why[256];
	static const struct option opts[] = {
		{ "cpus", required_argument, NULL, 'c' },
		{ "quota", required_argument, NULL, 'q' },
		{ "period", required_argument, NULL, 'p' },
		{ "seconds", required_argument, NULL, 's' },
		{ "loops", required_argument, NULL, 'l' },
		{ "csv", required_argument, NULL, 'o' },
		{ "weight", no_argument, NULL, 'w' },
		{ "move-in", no_argument, NULL, 'm' },
		{ "controllers", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	*o = (struct options){ .quota = 50000, .period = 100000, .seconds = 5, .loops = 1 };
	int c;
	char *end;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c': cpus = optarg; break;
		case 'q': quota_s = optarg; break;
		case 'p': period_s = optarg; break;
		case 's':
			o->seconds = (int)strtol(optarg, &end, 10);
			if (*end || end == optarg || o->seconds < 1 || o->seconds > 60)
				die("--seconds '%s': give a whole number from 1 to 60", optarg);
			break;
		case 'l':
			o->loops = (int)strtol(optarg, &end, 10);
			if (*end || end == optarg || o->loops < 1 || o->loops > MAX_LOOPS)
				die("--loops '%s': give a whole number from 1 to %d", optarg, MAX_LOOPS);
			break;
		case 'o': o->csv_path = optarg; break;
		case 'w': o->weight = 1; break;
		case 'm': o->move_in = 1; break;
		case 'k': o->controllers = 1; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (optind < argc)
		die("unexpected argument '%s'; see --help", argv[optind]);
	if (cpus && (quota_s || period_s))
		die("--cpus and --quota/--period both set a limit; give one or the other");
	if (o->weight + o->move_in + o->controllers > 1)
		die("--weight, --move-in and --controllers are separate experiments; give one");
	if ((o->weight || o->controllers) && (cpus || quota_s || period_s || o->loops != 1))
		die("--weight and --controllers run fixed experiments; drop --cpus/--quota/--period/--loops");
	if (o->move_in && o->loops != 1)
		die("--move-in moves one loop; drop --loops");
	if (quota_s || period_s) {
		char spec[80];
		snprintf(spec, sizeof(spec), "%s %s", quota_s ? quota_s : "max",
			 period_s ? period_s : "100000");
		if (parse_cpu_max(spec, &o->quota, &o->period, why, sizeof(why)) < 0)
			die("--quota/--period: %s", why);
		if (!quota_s)
			o->quota = o->period / 2;
	}
	if (cpus && parse_cpus(cpus, o->period, &o->quota, why, sizeof(why)) < 0)
		die("--cpus: %s", why);
}

/* Open the CSV before creating anything, so a bad path leaves nothing. */
static FILE *open_csv(const char *path)
{
	if (!path)
		return NULL;
	FILE *csv = fopen(path, "we");
	if (!csv)
		die_errno("open --csv %s", path);
	fprintf(csv, "t,phase,group,share_pct,nr_throttled,throttled_us\n");
	return csv;
}

/* One cgroup per group ("-light" and "-heavy" for --weight); *created
 * counts those that exist, for the cleanup. */
static int create_groups(struct group *gs, int ngroups, int weight, unsigned ctrls, int *created)
{
	for (int i = 0; i < ngroups; i++) {
		char leaf[64];
		snprintf(leaf, sizeof(leaf), "05-cpu-%d%s", (int)getpid(),
			 !weight ? "" : i == 0 ? "-light" : "-heavy");
		step("creating cgroup %s/%s", CG_PARENT, leaf);
		if (cg_create(&gs[i].cg, leaf, ctrls) < 0)
			return -1;
		*created = i + 1;
		done();
		for (int d = 0; d < gs[i].cg.ndirs; d++)
			say("   %s%s%s", gs[i].cg.dirs[d].path, gs[i].cg.dirs[d].ctrl[0] ? "  <- " : "",
			    gs[i].cg.dirs[d].ctrl);
	}
	return 0;
}

/* The hard cap: loops run unlimited, then under cpu.max. 0, or -1 on an
 * error or a stop signal. */
static int cpu_max_experiment(struct group *g, enum cg_layout layout,
			      const struct options *o, FILE *csv)
{
	double t0 = now_s();
	char cur[64];
	step("starting %d busy loop%s (`while :; do :; done` in C) in the cgroup", o->loops,
	     o->loops > 1 ? "s" : "");
	if (start_loops(g, o->loops, -1) < 0)
		return -1;
	say("pid %d%s", (int)g->pids[0], o->loops > 1 ? " ..." : "");

	double full = 100.0 * o->loops;
	if (layout == CG_LAYOUT_V2)
		format_cpu_max(CG_MAX, o->period, cur, sizeof(cur));
	else
		snprintf(cur, sizeof(cur), "-1");
	say("=> phase 1, no limit (%s \"%s\"): %d s, measured from %s",
	    layout == CG_LAYOUT_V2 ? "cpu.max" : "cpu.cfs_quota_us", cur, o->seconds,
	    cg_file_name(&g->cg, "cpu.usage"));
	if (run_phase(g, 1, "unlimited", o->seconds, full, &t0, csv) < 0 || stop_signal)
		return -1;
	double before = mean(g);

	format_cpu_max(o->quota, o->period, cur, sizeof(cur));
	if (layout == CG_LAYOUT_V2)
		step("writing cpu.max \"%s\"", cur);
	else
		step("writing cpu.cfs_period_us %lld, cpu.cfs_quota_us %lld (v2: cpu.max \"%s\")",
		     o->period, o->quota, cur);
	if (cg_set_cpu_max(&g->cg, o->quota, o->period) < 0)
		return -1;
	done();
	double target = 100.0 * (double)o->quota / (double)o->period;
	if (target > full)
		target = full;
	say("=> phase 2, limited to %.1f%% of one CPU: %d s", target, o->seconds);
	if (run_phase(g, 1, "limited", o->seconds, full, &t0, csv) < 0 || stop_signal)
		return -1;
	say("=> unlimited %.1f%%, then target %.1f%%, measured %.1f%%", before, target, mean(g));
	return 0;
}

/* --weight: two groups at cpu.weight 100 and 300 (v1 cpu.shares 256 and
 * 768) compete for CPU 0. 0, or -1 on an error or a stop signal. */
static int weight_experiment(struct group *gs, enum cg_layout layout, int seconds, FILE *csv)
{
	double t0 = now_s();
	unsigned w[2] = { 100, 300 }, sh[2] = { 256, 768 };
	for (int i = 0; i < 2; i++) {
		char val[16];
		snprintf(val, sizeof(val), "%u", layout == CG_LAYOUT_V2 ? w[i] : sh[i]);
		step("%s: %s = %s", strrchr(gs[i].cg.name, '-') + 1,
		     cg_file_name(&gs[i].cg, "cpu.weight"), val);
		if (cg_set_cpu_share(&gs[i].cg, w[i], sh[i]) < 0)
			return -1;
		done();
	}
	step("starting one busy loop per group, both pinned to CPU 0");
	for (int i = 0; i < 2; i++)
		if (start_loops(&gs[i], 1, 0) < 0)
			return -1;
	done();
	say("=> both loops want all of CPU 0; the weights decide who gets how much:");
	if (run_phase(gs, 2, "weight", seconds, 100.0, &t0, csv) < 0 || stop_signal)
		return -1;
	double a = mean(&gs[0]), b = mean(&gs[1]);
	say("=> result: target 25.0%% / 75.0%% of CPU 0, measured %.1f%% / %.1f%% "
	    "(%.1f%% / %.1f%% of what they got together)", a, b,
	    100 * a / (a + b), 100 * b / (a + b));
	return 0;
}

int main(int argc, char **argv)
{
	prog_name = "05-cgroup-cpu";
	struct options o;
	parse_args(argc, argv, &o);
	if (geteuid() != 0)
		die("creating a cgroup needs root: run with sudo");
	FILE *csv = open_csv(o.csv_path);
	catch_stop_signals(on_stop_signal);

	struct group gs[2];
	memset(gs, 0, sizeof(gs));
	int ngroups = o.weight ? 2 : 1, created = 0, rc = 1;
	enum cg_layout layout;
	if (cg_detect(&layout) < 0)
		goto cleanup;
	say("=> cgroup layout: %s", cg_layout_name(layout));
	if (o.controllers && show_hierarchies(layout) < 0)
		goto cleanup;
	if (create_groups(gs, ngroups, o.weight, o.controllers ? CG_CPU | CG_MEMORY | CG_PIDS : CG_CPU,
			  &created) < 0)
		goto cleanup;
	if (o.controllers)
		rc = show_new_files(&gs[0].cg) < 0;
	else if (o.move_in)
		rc = move_in_experiment(&gs[0].cg, o.quota, o.period, o.seconds, &stop_signal) < 0;
	else if (o.weight)
		rc = weight_experiment(gs, layout, o.seconds, csv) < 0;
	else
		rc = cpu_max_experiment(&gs[0], layout, &o, csv) < 0;

cleanup:
	if (stop_signal)
		say("\n=> caught SIG%s: cleaning up", sigabbrev_np(stop_signal));
	for (int i = 0; i < ngroups; i++)
		stop_loops(&gs[i]);
	for (int i = 0; i < created; i++) {
		step("removing cgroup %s", gs[i].cg.name);
		if (cg_destroy(&gs[i].cg) < 0)
			rc = 1;
		else
			done();
	}
	if (csv && fclose(csv) != 0) {
		warn_errno("write --csv %s", o.csv_path);
		rc = 1;
	}
	return stop_signal ? 128 + stop_signal : rc;
}
