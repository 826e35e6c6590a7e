/* SPDX-License-Identifier: MIT */
/*
 * pin.c - pinning: a name in the file system for a map's shared memory, and
 * opening a pinned map from any process.
 *
 * Pinning links the map's unnamed file (O_TMPFILE) into a directory with
 * linkat() through /proc/self/fd: nothing is copied, and the memory lives
 * on while a link or a mapping remains. A bare name goes to the pin
 * directory ($BPFRT_PIN_DIR, default /dev/shm/bpfrt), made on demand.
 *
 * Opening a pinned file trusts nothing in it: the header must have our
 * magic and version, describe a map this bpfrt could have created (the
 * type's own creation checks run again), and its layout must be the one
 * those parameters give and fit the file. Only then is it mapped.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "map_impl.h"

/* mkdir -p of the pin directory. */
static int make_dir(const char *dir)
{
	char tmp[PATH_MAX];
	if (snprintf(tmp, sizeof(tmp), "%s", dir) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* The path a pin name stands for: a bare name goes to the pin directory. */
static int resolve(const char *path, char *out, size_t len, bool make)
{
	if (strchr(path, '/')) {
		if (snprintf(out, len, "%s", path) >= (int)len)
			return -ENAMETOOLONG;
		return 0;
	}
	const char *dir = map_pin_dir();
	if (snprintf(out, len, "%s/%s", dir, path) >= (int)len)
		return -ENAMETOOLONG;
	return make ? make_dir(dir) : 0;
}

int bpfrt_map__pin(struct bpfrt_map *m, const char *path)
{
	char full[PATH_MAX], proc[64];
	if (!path || !*path)
		return map_fail(m, true, -EINVAL, "pin: no path");
	int err = resolve(path, full, sizeof(full), true);
	if (err)
		return map_fail(m, true, err, "pin at '%s': cannot make the pin directory '%s': %s",
				path, map_pin_dir(), strerror(-err));
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", m->fd);
	if (linkat(AT_FDCWD, proc, AT_FDCWD, full, AT_SYMLINK_FOLLOW) < 0 &&
	    linkat(m->fd, "", AT_FDCWD, full, AT_EMPTY_PATH) < 0) {
		err = -errno;
		if (err == -EXDEV)
			return map_fail(m, true, err, "pin at '%s': the map's memory is on another file "
					"system (pin in %s, or set BPFRT_PIN_DIR before creating "
					"the map)", full, map_pin_dir());
		return map_fail(m, true, err, "pin at '%s': %s", full, strerror(-err));
	}
	char *copy = strdup(full);
	if (copy) {
		free(m->pin_path);
		m->pin_path = copy;
	}
	return 0;
}

int bpfrt_map__unpin(struct bpfrt_map *m, const char *path)
{
	char full[PATH_MAX];
	if (!path)
		path = m->pin_path;
	if (!path)
		return map_fail(m, true, -EINVAL, "unpin: the map is not pinned and no path given");
	int err = resolve(path, full, sizeof(full), false);
	if (err)
		return map_fail(m, true, err, "unpin '%s': path too long", path);
	if (unlink(full) < 0) {
		err = -errno;
		return map_fail(m, true, err, "unpin '%s': %s", full, strerror(-err));
	}
	if (m->pin_path && !strcmp(m->pin_path, full)) {
		free(m->pin_path);
		m->pin_path = NULL;
	}
	return 0;
}

/* Does the header describe a map we could have made, laid out as we would? */
static int check_hdr(const struct map_hdr *h, uint64_t file_size, char *why, size_t len)
{
	const struct map_ops *ops = map_type_ops(h->type);
	if (!ops) {
		snprintf(why, len, "unknown map type %u in its header", h->type);
		return -EINVAL;
	}
	struct map_hdr c = *h;
	memset(&c.lay, 0, sizeof(c.lay));
	char reason[256];
	int err = ops->check(&c, reason, sizeof(reason));
	if (err) {
		snprintf(why, len, "its header describes an invalid map: %s", reason);
		return -EINVAL;
	}
	if (memcmp(&c.lay, &h->lay, sizeof(c.lay))) {
		snprintf(why, len, "corrupt header: its layout does not match its parameters");
		return -EINVAL;
	}
	if (c.lay.size != file_size) {
		snprintf(why, len, "%llu bytes, but its header says %llu (truncated or corrupt)",
			 (unsigned long long)file_size, (unsigned long long)c.lay.size);
		return -EINVAL;
	}
	if (map_is_percpu_type(h->type) && h->ncpus != (uint32_t)bpfrt_num_possible_cpus()) {
		snprintf(why, len, "made for %u CPUs, this machine has %d", h->ncpus,
			 bpfrt_num_possible_cpus());
		return -EINVAL;
	}
	return 0;
}

struct bpfrt_map *bpfrt_map__open_pinned(struct bpfrt_runtime *rt, const char *path)
{
	char full[PATH_MAX], why[512];
	struct map_hdr h;
	uint64_t size = 0;
	if (!rt) {
		errno = EINVAL;
		return NULL;
	}
	int err = path && *path ? resolve(path, full, sizeof(full), false) : -EINVAL;
	if (err) {
		rt_fail(rt, err, "pinned map '%s': invalid path", path ? path : "(null)");
		errno = -err;
		return NULL;
	}
	int fd = open(full, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		rt_fail(rt, err, "pinned map '%s': cannot open: %s", full, strerror(errno));
		errno = -err;
		return NULL;
	}
	err = region_read_hdr(fd, &h, &size, why, sizeof(why));
	if (!err)
		err = check_hdr(&h, size, why, sizeof(why));
	struct bpfrt_map *m = err ? NULL : calloc(1, sizeof(*m));
	if (!err && !m) {
		err = -ENOMEM;
		snprintf(why, sizeof(why), "out of memory");
	}
	if (!err) {
		m->rt = rt;
		m->fd = fd;
		map_from_hdr(m, &h);
		err = region_map(m, size, why, sizeof(why));
	}
	if (err) {
		rt_fail(rt, err, "pinned map '%s': %s", full, why);
		free(m);
		close(fd);
		errno = -err;
		return NULL;
	}
	m->pin_path = strdup(full);
	return map_register(m);
}
