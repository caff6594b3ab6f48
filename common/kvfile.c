/* SPDX-License-Identifier: MIT */
/* kvfile.c: "key = value" settings files (migrated.conf): one syntax. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvfile.h"

const char *
kvfile_split_line(char *line, char **key, char **value)
{
	char *p = line, *eq, *end, quote;

	*key = *value = NULL;
	p += strspn(p, " \t\r\n");
	if (*p == '\0' || *p == '#')
		return NULL;
	if ((eq = strchr(p, '=')) == NULL)
		return "expected 'key = value'";
	for (end = eq; end > p && isspace((unsigned char)end[-1]); end--)
		;
	*end = '\0';
	*key = p;
	p = eq + 1 + strspn(eq + 1, " \t");
	if (*p == '"' || *p == '\'') {
		quote = *p++;
		if ((end = strchr(p, quote)) == NULL)
			return "unterminated quote";
		*end++ = '\0';
		end += strspn(end, " \t\r\n");
		if (*end != '\0' && *end != '#')
			return "text after the closing quote";
		*value = p;
		return NULL;
	}
	for (end = p; *end != '\0'; end++) {
		if (*end == '#' &&
		    (end == p || isspace((unsigned char)end[-1])))
			break;
	}
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	*end = '\0';
	*value = p;
	return NULL;
}

int
kvfile_read(const char *path, kvfile_cb cb, void *arg)
{
	char *line = NULL, *key, *value;
	const char *problem;
	unsigned int n = 0;
	size_t size = 0;
	FILE *f;
	int r = 0;

	if ((f = fopen(path, "r")) == NULL)
		return -errno;
	while (getline(&line, &size, f) != -1) {
		n++;
		/* a UTF-8 byte order mark is not part of the first key */
		if (n == 1 && strncmp(line, "\xef\xbb\xbf", 3) == 0)
			memmove(line, line + 3, strlen(line + 3) + 1);
		problem = kvfile_split_line(line, &key, &value);
		if (problem != NULL)
			cb(arg, path, n, NULL, NULL, problem);
		else if (key != NULL)
			cb(arg, path, n, key, value, NULL);
	}
	if (ferror(f))
		r = -(errno != 0 ? errno : EIO);
	free(line);
	fclose(f);
	return r;
}
