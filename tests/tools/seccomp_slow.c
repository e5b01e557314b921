/*
 * seccomp_slow - run a command under a seccomp filter that allows every
 * system call but costs a known amount of work on each: a change of known
 * direction for checking what `primbench compare` catches (an A/B with
 * known truth, of the kind a kernel CI meets when a filter is added).
 *
 *   seccomp_slow N COMMAND [ARG...]
 *
 * The filter runs N conditional jumps on the call's first argument before
 * it allows the call.  Reading an argument keeps the kernel's seccomp
 * action cache (Linux 5.11+) from deciding the call once and skipping the
 * filter: every system call of COMMAND and its children pays for the N
 * steps.  What does not enter the kernel through a system call - vDSO
 * clock_gettime, a loop in user space, a page fault - pays nothing, so
 * those keys must stay `same` while syscall-bound ones get slower.
 *
 * Exit status: COMMAND's (exec), or 2 with one line on stderr.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

/* Most steps the filter may hold (BPF_MAXINSNS is 4096). */
#define SLOW_MAX_STEPS 4000

int main(int argc, char **argv)
{
	struct sock_filter *insn;
	struct sock_fprog prog;
	char *end;
	long n;

	if (argc < 3) {
		fprintf(stderr, "usage: seccomp_slow STEPS COMMAND [ARG...]\n");
		return 2;
	}
	n = strtol(argv[1], &end, 10);
	if (*end || n < 1 || n > SLOW_MAX_STEPS) {
		fprintf(stderr, "seccomp_slow: STEPS '%s': expected 1 to %d\n", argv[1],
			SLOW_MAX_STEPS);
		return 2;
	}
	insn = calloc((size_t)n + 2, sizeof(*insn));
	if (!insn) {
		fprintf(stderr, "seccomp_slow: out of memory\n");
		return 2;
	}
	/* A = low word of args[0]; then n times "if A == step, go on; else go
	 * on" (both branches lead to the next step); then allow. */
	insn[0] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					       offsetof(struct seccomp_data, args[0]));
	for (long i = 1; i <= n; i++)
		insn[i] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)i, 0, 0);
	insn[n + 1] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	prog = (struct sock_fprog){ .len = (unsigned short)(n + 2), .filter = insn };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0) {
		fprintf(stderr, "seccomp_slow: installing the filter: %s\n", strerror(errno));
		return 2;
	}
	execvp(argv[2], argv + 2);
	fprintf(stderr, "seccomp_slow: %s: %s\n", argv[2], strerror(errno));
	return 2;
}
