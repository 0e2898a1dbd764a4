/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Between the server fd (server_fd.c) and what a server does with its
 * requests (server_request.c).  What the rest of the module uses of
 * servers is in internal.h.
 */
#ifndef OBJINVOKE_SERVER_H
#define OBJINVOKE_SERVER_H

#include <linux/poll.h>

#include "internal.h"

struct oi_server *oi_server_new(void);
struct oi_server *oi_server_get(struct oi_server *srv);
u64 oi_server_id(const struct oi_server *srv);
void oi_server_kill(struct oi_server *srv);
__poll_t oi_server_poll(struct oi_server *srv, struct file *file,
			poll_table *pt);

struct oi_object *oi_server_add_object(struct oi_server *srv, u64 cookie,
				       u32 *handle);
struct oi_object *oi_server_get_object(struct oi_server *srv, u32 handle);
int oi_server_recv(struct oi_server *srv, struct objinvoke_request *k,
		   void __user *uarg);
long oi_server_reply(struct oi_server *srv, const struct objinvoke_reply *k);

#endif /* OBJINVOKE_SERVER_H */
