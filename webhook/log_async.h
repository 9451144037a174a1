/*
 * log_async.h - write one busy log descriptor from a background thread.
 *
 * Once log_async_start(fd) has run, log_async_write() for that descriptor
 * appends whole lines to an in-memory buffer, and a thread writes the
 * buffer out in large writes, at the latest LOG_ASYNC_FLUSH_MS after a
 * line came in.  A request thread then never waits for the disk or a pipe
 * reader, and the log costs one write(2) per batch instead of one per
 * line.  Lines are never dropped: when the buffer holds LOG_ASYNC_MAX
 * bytes (the log cannot keep up), writers wait for room.  Lines keep
 * their order and are never split.  log_async_stop() writes what is left
 * and stops the thread.
 *
 * One descriptor per process; the functions are thread-safe.
 */
#ifndef WEBHOOK_LOG_ASYNC_H
#define WEBHOOK_LOG_ASYNC_H

#include <stddef.h>

#define LOG_ASYNC_FLUSH_MS 20
#define LOG_ASYNC_MAX (4 * 1024 * 1024)

/* 0, or -1 when the thread cannot start (lines are then written at once). */
int log_async_start(int fd);
/* 1 when the bytes were taken for fd, 0 when fd is not the async one. */
int log_async_write(int fd, const char *buf, size_t len);
/* Writes everything buffered, then stops; a no-op when not started. */
void log_async_stop(void);

#endif
