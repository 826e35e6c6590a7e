/* SPDX-License-Identifier: MIT */
/*
 * bpfrt/bpfrt.h - everything public, for embedders who want one include.
 *
 *   insn.h     the instruction encoding
 *   runtime.h  the runtime, helpers, diagnostics
 *   prog.h     loading and running programs
 *   asm.h      assembler and disassembler
 */
#ifndef BPFRT_BPFRT_H
#define BPFRT_BPFRT_H

#include "insn.h"
#include "runtime.h"
#include "prog.h"
#include "asm.h"

#endif
