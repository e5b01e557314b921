/*
 * bench/list.h - the one list of benchmark families.
 *
 * Each line names a family whose file bench/<name>.c defines
 * `const struct bench_desc bench_<name>`.  Includers define BENCH(name)
 * before including this file (an X-macro); harness/registry.c expands it
 * into the table the runner walks.  tests/e2e/test_registry.sh checks that every
 * bench/ source file is listed here.  Order is the order of a run.
 */
BENCH(null)
BENCH(syscall_getppid)
BENCH(syscall_entry)
BENCH(proc_create)
BENCH(mm_cow)
BENCH(sched_switch)
BENCH(ctx_ring)
BENCH(mm_alloc)
BENCH(signal)
BENCH(sem)
BENCH(futex)
BENCH(poll)
BENCH(os_noise)
BENCH(ipc_pipe)
BENCH(ipc_mq)
BENCH(ipc_shm)
BENCH(ipc_unix)
BENCH(ipc_eventfd)
BENCH(ipc_tcp)
BENCH(ipc_udp)
BENCH(file_ops)
BENCH(file_mmap)
