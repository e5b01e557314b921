/*
 * wss.c - the working set the switch families touch per hand-off (wss.h).
 */
#include "wss.h"

#include <string.h>
#include <sys/mman.h>

void wss_touch(unsigned char *buf, size_t len, unsigned char v)
{
	volatile unsigned char *p = buf;

	for (size_t off = 0; off < len; off += WSS_LINE)
		p[off] = v;
}

unsigned char *wss_new(size_t len)
{
	unsigned char *p;

	if (len == 0)
		return NULL;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	memset(p, 1, len);
	return p;
}
