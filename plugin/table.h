/*
 * table.h - kubectl's table output: upper-case headers, columns padded
 * with three spaces, no trailing blanks (cli-runtime's tabwriter setup).
 *
 * Ownership: a table copies every cell it is given and frees them in
 * table_release().  Cells are escaped (term_escape) when printed, because
 * they come from the cluster.
 */
#ifndef TABLE_H
#define TABLE_H

#include <stddef.h>
#include <stdio.h>

struct table {
	size_t ncols, nrows, alloc;
	char **cells; /* nrows * ncols, row-major; row 0 is the header */
	int no_headers;
};

void table_init(struct table *t, size_t ncols, const char *const *headers);
/* Adds one row of exactly ncols cells (NULL prints as "<none>"). */
void table_add(struct table *t, const char *const *cells);
void table_print(const struct table *t, FILE *out);
void table_release(struct table *t);

#endif
