/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Telling a service manager how the daemon is doing: systemd's
 * notification protocol (sd_notify(3)), spoken directly so the emulator
 * needs no libsystemd.  One datagram of "KEY=VALUE" lines to the AF_UNIX
 * socket named by $NOTIFY_SOCKET; docs/packaging.md says why.
 */
#ifndef EMU_NOTIFY_H
#define EMU_NOTIFY_H

/*
 * Send @state (e.g. "READY=1\nSTATUS=serving") to $NOTIFY_SOCKET.
 * Returns 1 when sent, 0 when no service manager asked for it (the
 * variable unset or empty), or a negative errno: -EAFNOSUPPORT for an
 * address that is neither a path nor '@'-abstract, -ENAMETOOLONG, or
 * what socket()/sendto() failed with.
 */
int emu_notify(const char *state);

#endif /* EMU_NOTIFY_H */
