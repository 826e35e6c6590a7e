/* SPDX-License-Identifier: MIT */
/*
 * test_malformed.c - corrupt and truncated objects get a precise error, never
 * a crash (this test runs under ASan/UBSan in the sanitizer build).
 *
 *   test_malformed GOOD.o
 *
 * Each case edits a copy of a good object through its ELF headers and checks
 * that opening and loading fails with a message naming the problem.
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "bpfrt/bpfrt.h"
#include "bpfrt/object.h"

static uint8_t *good;
static size_t good_len;
static struct bpfrt_runtime *rt;
static int passed, failed;

static Elf64_Shdr *shdr(uint8_t *b, unsigned i)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)b;
	return (Elf64_Shdr *)(b + eh->e_shoff + (size_t)i * eh->e_shentsize);
}

static const char *sec_name(uint8_t *b, unsigned i)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)b;
	return (const char *)b + shdr(b, eh->e_shstrndx)->sh_offset + shdr(b, i)->sh_name;
}

static int find_sec(uint8_t *b, uint32_t type, const char *prefix)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)b;
	for (unsigned i = 1; i < eh->e_shnum; i++)
		if (shdr(b, i)->sh_type == type && (!prefix || !strncmp(sec_name(b, i), prefix, strlen(prefix))))
			return (int)i;
	return -1;
}

/* Open (and load) the edited copy; expect failure mentioning want (NULL: any outcome). */
static char pin_dir[] = "/dev/shm/bpfrt-malformed-XXXXXX";

static void expect(const char *what, uint8_t *b, size_t len, const char *want)
{
	BPFRT_OPTS(bpfrt_object_open_opts, oo, .pin_root_path = pin_dir);
	struct bpfrt_object *obj = bpfrt_object__open_mem(rt, b, len, &oo);
	int err = obj ? bpfrt_object__load(obj) : -1;
	const char *msg = bpfrt_runtime__last_error(rt);
	if (!want || (err && strstr(msg, want))) {
		passed++;
		printf("PASS %s%s%s\n", what, err ? ": " : "", err ? msg : "");
	} else {
		failed++;
		printf("FAIL %s: %s, message '%s' (wanted '%s')\n", what, err ? "failed" : "loaded", msg, want);
	}
	bpfrt_object__close(obj);
}

static uint8_t *copy(void)
{
	uint8_t *b = malloc(good_len);
	memcpy(b, good, good_len);
	return b;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: test_malformed GOOD.o\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 2;
	}
	good = malloc(1 << 20);
	good_len = fread(good, 1, 1 << 20, f);
	fclose(f);
	BPFRT_OPTS(bpfrt_runtime_opts, ro, .quiet = true);
	rt = bpfrt_runtime__new(&ro);
	if (!mkdtemp(pin_dir)) {
		perror("mkdtemp");
		return 2;
	}

	expect("the good object", good, good_len, NULL);

	/* Every truncation, at a stride: a clean error each time. */
	for (size_t len = 0; len < good_len; len += 13) {
		uint8_t *b = malloc(len ? len : 1);
		memcpy(b, good, len);
		BPFRT_OPTS(bpfrt_object_open_opts, oo, .pin_root_path = pin_dir);
		struct bpfrt_object *obj = bpfrt_object__open_mem(rt, b, len, &oo);
		if (obj)
			bpfrt_object__load(obj);
		bpfrt_object__close(obj);
		free(b);
	}
	passed++;
	printf("PASS truncations at every 13th byte: no crash\n");

	/*
	 * clang writes the section header table last: a file cut anywhere after
	 * the ELF header loses it, and the error says so (not "no symbol table").
	 */
	const size_t cuts[] = { 64, 2000, good_len / 2, good_len - 1 };
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		char what[64];
		snprintf(what, sizeof(what), "truncated to %zu bytes", cuts[i]);
		expect(what, good, cuts[i], "section header table");
	}

	uint8_t *b = copy();
	((Elf64_Ehdr *)b)->e_machine = 62; /* x86-64 */
	expect("wrong machine", b, good_len, "not BPF");
	free(b);

	b = copy();
	b[EI_CLASS] = ELFCLASS32;
	expect("32-bit class", b, good_len, "");
	free(b);

	/* libelf sees no ELF at all (its version byte is unknown): nothing may leak */
	b = copy();
	b[EI_VERSION] = 5;
	expect("unknown ELF version", b, good_len, "not an ELF file");
	free(b);

	b = copy();
	((Elf64_Ehdr *)b)->e_type = ET_EXEC;
	expect("executable, not relocatable", b, good_len, "not a relocatable object");
	free(b);

	b = copy();
	int rel = find_sec(b, SHT_REL, ".rel");
	int text = find_sec(b, SHT_PROGBITS, "xdp");
	if (rel > 0) {
		Elf64_Rel *r = (Elf64_Rel *)(b + shdr(b, (unsigned)rel)->sh_offset);
		r->r_info = ELF64_R_INFO(100000, ELF64_R_TYPE(r->r_info));
		expect("relocation symbol out of range", b, good_len, "beyond the symbol table");
	}
	free(b);

	b = copy();
	if (rel > 0) {
		Elf64_Rel *r = (Elf64_Rel *)(b + shdr(b, (unsigned)rel)->sh_offset);
		r->r_offset = 1u << 30;
		expect("relocation offset out of range", b, good_len, "outside its section");
	}
	free(b);

	b = copy();
	if (rel > 0) {
		Elf64_Rel *r = (Elf64_Rel *)(b + shdr(b, (unsigned)rel)->sh_offset);
		r->r_info = ELF64_R_INFO(ELF64_R_SYM(r->r_info), 77);
		expect("unknown relocation type", b, good_len, "relocation type 77");
	}
	free(b);

	b = copy();
	if (text > 0) {
		shdr(b, (unsigned)text)->sh_size -= 3;
		expect("program section not a whole number of instructions", b, good_len, "whole number");
	}
	free(b);

	b = copy();
	if (text > 0) {
		shdr(b, (unsigned)text)->sh_offset = good_len * 4;
		expect("program section beyond the file", b, good_len, "lies past the end of the file");
	}
	free(b);

	b = copy();
	int symtab = find_sec(b, SHT_SYMTAB, NULL);
	if (symtab > 0) {
		Elf64_Shdr *s = shdr(b, (unsigned)symtab);
		Elf64_Sym *y = (Elf64_Sym *)(b + s->sh_offset);
		for (size_t i = 1; i < s->sh_size / sizeof(*y); i++)
			if (ELF64_ST_TYPE(y[i].st_info) == STT_FUNC) {
				y[i].st_size = 1u << 20;
				break;
			}
		expect("function symbol larger than its section", b, good_len, "lies outside section");
	}
	free(b);

	b = copy();
	if (symtab > 0) {
		shdr(b, (unsigned)symtab)->sh_type = SHT_PROGBITS;
		expect("no symbol table", b, good_len, "no symbol table");
	}
	free(b);

	b = copy();
	if (text > 0) {
		/* An instruction that is no instruction. */
		uint8_t *code = b + shdr(b, (unsigned)text)->sh_offset;
		code[8] = 0xff;
		expect("unknown opcode in a program", b, good_len, "unknown opcode 0xff");
	}
	free(b);

	/*
	 * A program's relocation section emptied: its relocations are gone (the
	 * load fails on the map reference left unresolved, or not), nothing leaks
	 * (found by fuzz_object; LeakSanitizer checks in the sanitizer build).
	 */
	b = copy();
	int erel = text > 0 ? find_sec(b, SHT_REL, ".rel") : -1;
	if (erel > 0) {
		shdr(b, (unsigned)erel)->sh_size = 0;
		expect("an empty relocation section", b, good_len, NULL);
	}
	free(b);

	bpfrt_runtime__free(rt);
	free(good);
	char pin[128];
	snprintf(pin, sizeof(pin), "%s/blocklist", pin_dir);
	unlink(pin);
	rmdir(pin_dir);
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
