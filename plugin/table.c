#include "table.h"

#include <stdlib.h>
#include <string.h>

#include "json_util.h"
#include "strbuf.h"
#include "xalloc.h"

#define PADDING 3

static void add_cells(struct table *t, const char *const *cells)
{
	size_t i;

	if (t->nrows == t->alloc) {
		t->alloc = t->alloc ? t->alloc * 2 : 16;
		t->cells = xrealloc(t->cells, t->alloc * t->ncols * sizeof(char *));
	}
	for (i = 0; i < t->ncols; i++) {
		struct strbuf sb = STRBUF_INIT;

		term_escape(&sb, cells[i] ? cells[i] : "<none>");
		t->cells[t->nrows * t->ncols + i] = strbuf_detach(&sb, NULL);
	}
	t->nrows++;
}

void table_init(struct table *t, size_t ncols, const char *const *headers)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	add_cells(t, headers);
}

void table_add(struct table *t, const char *const *cells)
{
	add_cells(t, cells);
}

/* Display width in terminal columns: UTF-8 continuation bytes take none. */
static size_t display_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			w++;
	return w;
}

void table_print(const struct table *t, FILE *out)
{
	size_t *width = xcalloc(t->ncols, sizeof(*width));
	size_t r, c, first = t->no_headers ? 1 : 0;

	for (r = first; r < t->nrows; r++)
		for (c = 0; c < t->ncols; c++) {
			size_t w = display_width(t->cells[r * t->ncols + c]);

			if (w > width[c])
				width[c] = w;
		}
	for (r = first; r < t->nrows; r++) {
		for (c = 0; c < t->ncols; c++) {
			const char *cell = t->cells[r * t->ncols + c];

			fputs(cell, out);
			if (c + 1 < t->ncols)
				fprintf(out, "%*s", (int)(width[c] - display_width(cell) + PADDING),
				        "");
		}
		fputc('\n', out);
	}
	free(width);
}

void table_release(struct table *t)
{
	size_t i;

	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}
