/*
 * note.c - see note.h.
 */
#include "note.h"

#include <stdio.h>
#include <string.h>

void note_vappend(char *buf, size_t size, const char *fmt, va_list ap)
{
	size_t len = strlen(buf);

	if (len) {
		/* "; " and at least one byte of text, or nothing: never text
		 * glued to the reason before it. */
		if (len + 3 >= size)
			return;
		memcpy(buf + len, "; ", 3);
		len += 2;
	}
	if (len + 1 >= size)
		return;
	vsnprintf(buf + len, size - len, fmt, ap);
}

void note_append(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	note_vappend(buf, size, fmt, ap);
	va_end(ap);
}
