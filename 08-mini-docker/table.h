/* 08-mini-docker/table.h — columns as Docker's CLI prints them (Go's
 * tabwriter with minwidth 10, padding 3): each column but the last is as
 * wide as its widest cell plus 3, and at least 10; widths count characters,
 * not bytes ("…" is one). Pure but for the FILE it prints to. */
#ifndef TABLE_H
#define TABLE_H

#include <stdio.h>

struct table {
	int ncols, nrows, cap;
	char **cells; /* nrows * ncols, owned */
};

/* A row of t->ncols cells (copied). 0, or -1 out of memory. */
int table_add(struct table *t, const char *const *cells);
/* Print every row, then free the cells. */
void table_print(struct table *t, FILE *out);

#endif
