/*
 * exit0.c - the smallest program proc_create execs: linked statically so
 * that exec cost is the kernel's (execve, mm teardown and setup) and not
 * the dynamic loader's.  It exits 0 at once.
 */
int main(void)
{
	return 0;
}
