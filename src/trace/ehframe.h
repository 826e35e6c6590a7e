/* SPDX-License-Identifier: MIT */
/*
 * ehframe.h (internal) - where the functions of the loaded modules begin and
 * end, from their .eh_frame_hdr search tables (the ones unwinders use).
 */
#ifndef BPFRT_TRACE_EHFRAME_H
#define BPFRT_TRACE_EHFRAME_H

#include <stdint.h>

/*
 * Record the modules mapped now (executable and libraries) with their
 * executable segments and search tables; modules recorded before are
 * forgotten. Not in a signal handler (it walks the loader's list), and not
 * from two threads at once; lookups may run meanwhile.
 * Return: how many modules have a table.
 */
int eh_index_scan(void);

/*
 * The function containing pc: [*start, *end) from its FDE. No lock and no
 * allocation, so a signal handler may ask. Return: 0, or -1 when pc is in
 * no recorded module, no FDE covers it or an encoding is not one this
 * reads (the tables GCC and Clang write use pc-relative and
 * data-relative 4-byte fields).
 */
int eh_function_bounds(uint64_t pc, uint64_t *start, uint64_t *end);

#endif
