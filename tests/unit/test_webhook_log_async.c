/*
 * The background log writer: every line arrives, whole and in order per
 * thread, also when the buffer fills up, and nothing is left behind when
 * it stops.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log_async.h"
#include "tap.h"

#define LINES 20000

static int log_fd;

static void *producer(void *arg)
{
	char line[600];
	int id = *(int *)arg, n;

	for (int i = 0; i < LINES; i++) {
		/* Long lines, so that the 4 MiB buffer fills and writers wait. */
		n = snprintf(line, sizeof(line), "t%d %d %0500d\n", id, i, i);
		if (!log_async_write(log_fd, line, (size_t)n))
			return NULL;
	}
	return NULL;
}

int main(void)
{
	FILE *f = tmpfile();
	pthread_t t[2];
	int ids[2] = { 0, 1 }, next[2] = { 0, 0 }, bad = 0, total = 0;
	char *line = NULL;
	size_t cap = 0;

	log_fd = fileno(f);
	ok(!log_async_write(log_fd, "x\n", 2), "before start, lines are not taken");
	ok(log_async_start(log_fd) == 0, "starts");
	ok(log_async_start(log_fd) == -1, "one writer per process");
	ok(!log_async_write(log_fd + 100, "x\n", 2), "other descriptors are not taken");
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, producer, &ids[i]);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	log_async_stop();
	ok(!log_async_write(log_fd, "x\n", 2), "after stop, lines are not taken");
	rewind(f);
	while (getline(&line, &cap, f) > 0) {
		int id, i;

		total++;
		if (sscanf(line, "t%d %d", &id, &i) != 2 || id < 0 || id > 1 || i != next[id] ||
		    strlen(line) != (size_t)snprintf(NULL, 0, "t%d %d %0500d\n", id, i, i))
			bad++;
		else
			next[id]++;
	}
	is_int(total, 2 * LINES, "every line was written");
	is_int(bad, 0, "whole, and in order for each thread");
	ok(log_async_start(log_fd) == 0, "can start again");
	ok(log_async_write(log_fd, "last\n", 5), "takes a line");
	log_async_stop();
	fseek(f, -5, SEEK_END);
	ok(getline(&line, &cap, f) == 5 && !strcmp(line, "last\n"), "written at stop");
	free(line);
	fclose(f);
	return tap_done();
}
