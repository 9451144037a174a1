#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include "log_async.h"
#include "strbuf.h"

/* A batch this big is written without waiting for the timer. */
#define EARLY_FLUSH (256 * 1024)

static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake, room;
	struct strbuf pending; /* lines not handed to the thread yet */
	pthread_t thread;
	atomic_int fd; /* -1 while not started */
	int stop;
} lg = { PTHREAD_MUTEX_INITIALIZER,
	 PTHREAD_COND_INITIALIZER,
	 PTHREAD_COND_INITIALIZER,
	 STRBUF_INIT,
	 0,
	 -1,
	 0 };

static void write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return; /* nowhere to report it: the log is what failed */
		buf += n;
		len -= (size_t)n;
	}
}

static void deadline(struct timespec *ts)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_nsec += LOG_ASYNC_FLUSH_MS * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static void *writer(void *arg)
{
	struct strbuf out = STRBUF_INIT;
	struct timespec until;
	int fd = *(int *)arg;

	pthread_mutex_lock(&lg.lock);
	for (;;) {
		deadline(&until);
		while (!lg.stop && lg.pending.len < EARLY_FLUSH &&
		       pthread_cond_timedwait(&lg.wake, &lg.lock, &until) != ETIMEDOUT)
			;
		if (!lg.pending.len) {
			if (lg.stop)
				break;
			continue;
		}
		/* Swap buffers: writers go on filling the other one meanwhile. */
		{
			struct strbuf t = out;

			out = lg.pending;
			lg.pending = t;
		}
		pthread_cond_broadcast(&lg.room);
		pthread_mutex_unlock(&lg.lock);
		write_all(fd, out.buf, out.len);
		strbuf_reset(&out);
		pthread_mutex_lock(&lg.lock);
	}
	pthread_mutex_unlock(&lg.lock);
	strbuf_release(&out);
	return NULL;
}

int log_async_start(int fd)
{
	static int thread_fd;
	pthread_condattr_t attr;

	if (atomic_load(&lg.fd) >= 0)
		return -1;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_destroy(&lg.wake);
	pthread_cond_init(&lg.wake, &attr);
	pthread_condattr_destroy(&attr);
	lg.stop = 0;
	thread_fd = fd;
	if (pthread_create(&lg.thread, NULL, writer, &thread_fd))
		return -1;
	atomic_store(&lg.fd, fd);
	return 0;
}

int log_async_write(int fd, const char *buf, size_t len)
{
	if (fd < 0 || atomic_load(&lg.fd) != fd)
		return 0;
	pthread_mutex_lock(&lg.lock);
	while (lg.pending.len && lg.pending.len + len > LOG_ASYNC_MAX && !lg.stop)
		pthread_cond_wait(&lg.room, &lg.lock);
	if (lg.stop) {
		/* Stopping: the thread may be gone; write it here, in order. */
		pthread_mutex_unlock(&lg.lock);
		return 0;
	}
	strbuf_add(&lg.pending, buf, len);
	if (lg.pending.len >= EARLY_FLUSH)
		pthread_cond_signal(&lg.wake);
	pthread_mutex_unlock(&lg.lock);
	return 1;
}

void log_async_stop(void)
{
	if (atomic_load(&lg.fd) < 0)
		return;
	pthread_mutex_lock(&lg.lock);
	lg.stop = 1;
	pthread_cond_signal(&lg.wake);
	pthread_cond_broadcast(&lg.room);
	pthread_mutex_unlock(&lg.lock);
	pthread_join(lg.thread, NULL);
	atomic_store(&lg.fd, -1);
	strbuf_release(&lg.pending);
}
