/* SPDX-License-Identifier: MIT */
/*
 * help_version.h: the --help and --version that every example and
 * benchmark answers, and the line each prints when setting up fails, kept
 * here so that each program's main() reads as the client code it teaches.
 */
#ifndef HELP_VERSION_H
#define HELP_VERSION_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* meson defines it for every C file; a copied example builds without. */
#ifndef OBJINVOKE_VERSION
#define OBJINVOKE_VERSION "unknown"
#endif

/* What the programs need, said alike in each one's --help. */
#define HELP_NEEDS_TEE \
	"Needs the objinvoke module loaded (modprobe objinvoke: /dev/objinvoke)\n" \
	"and a TEE attached: on a machine without one, the emulator running\n" \
	"(objinvoke-emu, as root, or systemctl start objinvoke-emu).\n"
#define HELP_NEEDS_MEMORY \
	"Memory objects come from /dev/dma_heap/system, or /dev/udmabuf where no\n" \
	"heap exists: the user must be allowed to open it\n" \
	"(OBJINVOKE_MEMORY=heap or =udmabuf picks one).\n"

/*
 * Answer --help (or -h) with @help on stdout and --version with
 * "@name OBJINVOKE_VERSION", then exit 0.  Any other option, or more than
 * @max_operands operands, prints why on stderr and exits 2.  Returns only
 * when the program should run; its operands are then the arguments from
 * argv[1] on.
 */
static inline void answer_help_and_version(int argc, char **argv,
					   const char *name, const char *help,
					   int max_operands)
{
	int operands = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(help, stdout);
			exit(0);
		}
		if (!strcmp(argv[i], "--version")) {
			printf("%s %s\n", name, OBJINVOKE_VERSION);
			exit(0);
		}
		if (argv[i][0] == '-' || ++operands > max_operands) {
			fprintf(stderr, "%s: unexpected argument '%s' (see %s --help)\n",
				name, argv[i], name);
			exit(2);
		}
	}
}

/*
 * The line a program prints when its first steps fail (the root object,
 * the client environment, memory): the cause is almost never the program
 * but the machine, and the libobject line just above it, printed by the
 * program's log handler, names what is missing and what to do.
 */
static inline int setup_failed(const char *name, const char *what, int r)
{
	fprintf(stderr, "%s: %s failed (%d): the libobject line above says what to do; %s --help lists what is needed\n",
		name, what, r, name);
	return 1;
}

#endif /* HELP_VERSION_H */
