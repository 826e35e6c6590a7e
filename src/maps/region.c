/* SPDX-License-Identifier: MIT */
/*
 * region.c - the shared memory behind a map: a file on tmpfs, mapped shared.
 *
 * A new map's file is an unnamed O_TMPFILE (in the pin directory when it
 * exists, else in /dev/shm) so that pinning can later give it a name with
 * linkat() without copying anything; without a usable tmpfs, a memfd (which
 * cannot be pinned). The whole size is allocated up front with
 * posix_fallocate(): a tmpfs that is too small then fails the creation
 * cleanly instead of killing the process with SIGBUS on first touch.
 *
 * Ring buffers map their data twice, back to back, as the kernel does for
 * user space: a record that wraps around the end is still contiguous.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "map_impl.h"

const char *map_pin_dir(void)
{
	const char *d = getenv("BPFRT_PIN_DIR");
	return d && *d ? d : "/dev/shm/bpfrt";
}

static int open_tmpfile(const char *name)
{
	int fd = open(map_pin_dir(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0)
		fd = open("/dev/shm", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0)
		fd = memfd_create(name[0] ? name : "bpfrt-map", MFD_CLOEXEC);
	return fd;
}

int region_create(struct bpfrt_map *m, uint64_t size, char *why, size_t len)
{
	m->fd = open_tmpfile(m->name);
	if (m->fd < 0) {
		int err = -errno;
		snprintf(why, len, "cannot create its shared memory file: %s", strerror(errno));
		return err;
	}
	int e = posix_fallocate(m->fd, 0, (off_t)size);
	if (e) {
		snprintf(why, len, "cannot allocate %llu bytes of shared memory: %s",
			 (unsigned long long)size, strerror(e));
		return e == ENOSPC || e == EFBIG ? -ENOMEM : -e;
	}
	return region_map(m, size, why, len);
}

/*
 * Map the region. For ring buffers, reserve header + 2 * data of address
 * space, then map the file over it and its data part once more after it.
 */
int region_map(struct bpfrt_map *m, uint64_t size, char *why, size_t len)
{
	bool ring = m->type == BPFRT_MAP_TYPE_RINGBUF;
	uint64_t data = ring ? size - m->lay.elem_off : 0;
	size_t total = (size_t)(size + data);
	uint8_t *base = mmap(NULL, total, ring ? PROT_NONE : PROT_READ | PROT_WRITE,
			     ring ? MAP_PRIVATE | MAP_ANONYMOUS : MAP_SHARED, ring ? -1 : m->fd, 0);
	if (base == MAP_FAILED)
		goto fail;
	if (ring) {
		void *a = mmap(base, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
			       m->fd, 0);
		void *b = a == MAP_FAILED ? a :
			mmap(base + size, (size_t)data, PROT_READ | PROT_WRITE,
			     MAP_SHARED | MAP_FIXED, m->fd, (off_t)m->lay.elem_off);
		if (b == MAP_FAILED) {
			int err = errno;
			munmap(base, total);
			errno = err;
			goto fail;
		}
	}
	m->base = base;
	m->hdr = (struct map_hdr *)base;
	m->map_len = total;
	return 0;
fail:
	snprintf(why, len, "cannot map %llu bytes of shared memory: %s",
		 (unsigned long long)size, strerror(errno));
	return -ENOMEM;
}

void region_unmap(struct bpfrt_map *m)
{
	if (m->base)
		munmap(m->base, m->map_len);
	if (m->fd >= 0)
		close(m->fd);
	m->base = NULL;
	m->hdr = NULL;
	m->fd = -1;
}

/* Read and sanity-check the header of a file that claims to be a map. */
int region_read_hdr(int fd, struct map_hdr *h, uint64_t *file_size, char *why, size_t len)
{
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int err = -errno;
		snprintf(why, len, "cannot stat: %s", strerror(errno));
		return err;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, len, "not a regular file");
		return -EINVAL;
	}
	*file_size = (uint64_t)st.st_size;
	if (*file_size < MAP_HDR_SIZE) {
		snprintf(why, len, "not a bpfrt map (%llu bytes, shorter than a map header)",
			 (unsigned long long)*file_size);
		return -EINVAL;
	}
	ssize_t n = pread(fd, h, sizeof(*h), 0);
	if (n != (ssize_t)sizeof(*h)) {
		snprintf(why, len, "cannot read its header: %s", n < 0 ? strerror(errno) : "short read");
		return n < 0 ? -errno : -EIO;
	}
	if (h->magic != MAP_MAGIC) {
		snprintf(why, len, "not a bpfrt map (bad magic)");
		return -EINVAL;
	}
	if (h->version != MAP_VERSION || h->hdr_size != sizeof(*h)) {
		snprintf(why, len, "map format version %u (header %u bytes), this bpfrt reads "
			 "version %u (%zu bytes)", h->version, h->hdr_size, MAP_VERSION, sizeof(*h));
		return -EINVAL;
	}
	h->name[MAP_NAME_LEN - 1] = '\0';
	return 0;
}
