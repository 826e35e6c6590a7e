/* SPDX-License-Identifier: MIT */
/*
 * bpfrt/bpfrt.h - everything public, for embedders who want one include.
 *
 *   insn.h     the instruction encoding
 *   runtime.h  the runtime, helpers, diagnostics
 *   prog.h     loading and running programs
 *   asm.h      assembler and disassembler
 *   map.h      maps and ring buffers, from user space
 *   perf_buffer.h  perf event arrays, consumed from user space
 *   object.h   clang-compiled objects: open, load, find programs and maps
 *   btf.h      BTF type information
 *   xdp.h      XDP ports: programs run on packet frames
 *   cbpf.h     classic BPF filters, translated to eBPF
 *   trace.h    tracing programs on the system calls and functions of processes
 */
#ifndef BPFRT_BPFRT_H
#define BPFRT_BPFRT_H

#include "insn.h"
#include "runtime.h"
#include "prog.h"
#include "asm.h"
#include "map.h"
#include "perf_buffer.h"
#include "object.h"
#include "btf.h"
#include "xdp.h"
#include "cbpf.h"
#include "trace.h"

#endif
