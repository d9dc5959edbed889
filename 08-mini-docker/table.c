/* 08-mini-docker/table.c — see table.h. */
#define _GNU_SOURCE
#include "table.h"

#include <stdlib.h>
#include <string.h>

int table_add(struct table *t, const char *const *cells)
{
	if (t->nrows == t->cap) {
		int cap = t->cap ? 2 * t->cap : 16;
		char **c = realloc(t->cells, (size_t)cap * (size_t)t->ncols * sizeof(char *));
		if (!c)
			return -1;
		t->cells = c;
		t->cap = cap;
	}
	for (int i = 0; i < t->ncols; i++)
		if ((t->cells[t->nrows * t->ncols + i] = strdup(cells[i] ? cells[i] : "")) == NULL)
			return -1;
	t->nrows++;
	return 0;
}

/* Characters in UTF-8 text: every byte but the continuation bytes. */
static size_t width(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

void table_print(struct table *t, FILE *out)
{
	for (int r = 0; r < t->nrows; r++) {
		for (int c = 0; c < t->ncols; c++) {
			const char *cell = t->cells[r * t->ncols + c];
			fputs(cell, out);
			if (c == t->ncols - 1)
				break;
			size_t w = 0;
			for (int k = 0; k < t->nrows; k++)
				if (width(t->cells[k * t->ncols + c]) > w)
					w = width(t->cells[k * t->ncols + c]);
			w = w + 3 < 10 ? 10 : w + 3;
			fprintf(out, "%*s", (int)(w - width(cell)), "");
		}
		fputc('\n', out);
	}
	for (int i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->nrows = t->cap = 0;
}
