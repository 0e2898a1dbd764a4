// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* systemd's readiness notification, without libsystemd (see notify.h). */
#include "notify.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

/*
 * The address in $NOTIFY_SOCKET: an absolute path, or '@' standing for
 * the leading NUL of a Linux abstract-namespace name (which has no
 * terminating NUL: its length is the address length).  Other forms
 * (systemd 253's "vsock:") are for VMs, not for this daemon.
 */
static int notify_address(const char *name, struct sockaddr_un *sa,
			  socklen_t *len)
{
	size_t n = strlen(name);

	if (name[0] != '/' && name[0] != '@')
		return -EAFNOSUPPORT;
	if (n >= sizeof(sa->sun_path))	/* room for a path's NUL */
		return -ENAMETOOLONG;
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, name, n);
	if (name[0] == '@')
		sa->sun_path[0] = '\0';
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	return 0;
}

int emu_notify(const char *state)
{
	const char *name = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa;
	socklen_t len;
	ssize_t sent;
	int fd, err;

	if (!name || !name[0])
		return 0;
	err = notify_address(name, &sa, &len);
	if (err)
		return err;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* The manager learns our pid from the credentials the kernel adds. */
	sent = sendto(fd, state, strlen(state), MSG_NOSIGNAL,
		      (struct sockaddr *)&sa, len);
	err = sent < 0 ? -errno : 1;
	close(fd);
	return err;
}
