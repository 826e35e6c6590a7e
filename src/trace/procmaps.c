/* SPDX-License-Identifier: MIT */
/*
 * procmaps.c - where a process has mapped an offset of a file, from
 * /proc/PID/maps: the executable mapping of that file (by device and inode,
 * so links and bind mounts name the same file) covering the offset; and
 * whether an address is in a writable private mapping of a file, which is
 * where the kernel's uprobes wait for a USDT semaphore (ref_ctr_offset) to be
 * before raising it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include "trace.h"

/* One line of /proc/PID/maps, the fields these questions need. */
struct mapping {
	uint64_t lo, hi, off;
	char perms[8];
	dev_t dev;
	ino_t ino;
};

/* Call fn on each mapping of pid until it returns nonzero; return that, or 0, or -errno. */
static int each_mapping(pid_t pid, int (*fn)(const struct mapping *m, void *ctx), void *ctx)
{
	char path[64], line[4096];
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -errno;
	int r = 0;
	while (!r && fgets(line, sizeof(line), f)) {
		struct mapping m;
		uint64_t inode;
		unsigned maj, min;
		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %" SCNx64 " %x:%x %" SCNu64, &m.lo, &m.hi,
			   m.perms, &m.off, &maj, &min, &inode) != 7)
			continue;
		m.dev = makedev(maj, min);
		m.ino = (ino_t)inode;
		r = fn(&m, ctx);
	}
	fclose(f);
	return r;
}

struct find_ctx {
	dev_t dev;
	ino_t ino;
	uint64_t off, addr;
};

static int find_exec(const struct mapping *m, void *ctx)
{
	struct find_ctx *c = ctx;
	if (m->perms[2] != 'x' || m->ino != c->ino || m->dev != c->dev)
		return 0;
	if (c->off < m->off || c->off >= m->off + (m->hi - m->lo))
		return 0;
	c->addr = m->lo + (c->off - m->off);
	return 1;
}

int procmaps_find(pid_t pid, dev_t dev, ino_t ino, uint64_t off, uint64_t *addr)
{
	struct find_ctx c = { dev, ino, off, 0 };
	int r = each_mapping(pid, find_exec, &c);
	if (r == 1)
		*addr = c.addr;
	return r == 1 ? 0 : r < 0 ? r : -ENOENT;
}

static int find_writable(const struct mapping *m, void *ctx)
{
	const struct find_ctx *c = ctx;
	/*
	 * While ld.so maps a library, the whole range is first one read-only
	 * mapping of the file, then each segment is mapped over it: a count
	 * written before the data segment's own mapping would be lost.
	 */
	return c->addr >= m->lo && c->addr < m->hi && m->perms[1] == 'w' && m->perms[3] == 'p' &&
	       m->ino == c->ino && m->dev == c->dev;
}

int procmaps_file_writable(pid_t pid, dev_t dev, ino_t ino, uint64_t addr)
{
	struct find_ctx c = { dev, ino, 0, addr };
	return each_mapping(pid, find_writable, &c);
}
