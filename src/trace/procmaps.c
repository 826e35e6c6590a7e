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

int procmaps_find(pid_t pid, dev_t dev, ino_t ino, uint64_t off, uint64_t *addr)
{
	char path[64], line[4096];
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -errno;
	int err = -ENOENT;
	while (fgets(line, sizeof(line), f)) {
		uint64_t lo, hi, moff, inode;
		unsigned maj, min;
		char perms[8];
		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %" SCNx64 " %x:%x %" SCNu64, &lo, &hi, perms,
			   &moff, &maj, &min, &inode) != 7)
			continue;
		if (perms[2] != 'x' || inode != (uint64_t)ino || makedev(maj, min) != dev)
			continue;
		if (off >= moff && off < moff + (hi - lo)) {
			*addr = lo + (off - moff);
			err = 0;
			break;
		}
	}
	fclose(f);
	return err;
}

int procmaps_file_writable(pid_t pid, dev_t dev, ino_t ino, uint64_t addr)
{
	char path[64], line[4096];
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -errno;
	int found = 0;
	while (!found && fgets(line, sizeof(line), f)) {
		uint64_t lo, hi, moff, inode;
		unsigned maj, min;
		char perms[8];
		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %" SCNx64 " %x:%x %" SCNu64, &lo, &hi, perms,
			   &moff, &maj, &min, &inode) != 7)
			continue;
		/*
		 * While ld.so maps a library, the whole range is first one
		 * read-only mapping of the file, then each segment is mapped
		 * over it: a count written before the data segment's own
		 * mapping would be lost.
		 */
		found = addr >= lo && addr < hi && perms[1] == 'w' && perms[3] == 'p' &&
			inode == (uint64_t)ino && makedev(maj, min) == dev;
	}
	fclose(f);
	return found;
}
