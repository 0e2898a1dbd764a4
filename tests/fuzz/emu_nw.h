/* SPDX-License-Identifier: MIT */
/*
 * The normal world as the emulator target plays it: a model of the
 * kernel's side of the wire, strict where the kernel is, that keeps the
 * books the target checks.
 *
 * References.  Every NW ID the kernel hands the TEE (an input object, an
 * output object of a callback answer, a mapping object) carries one
 * reference, and the TEE must give each back exactly once, in an async
 * release, and never name an ID it holds no reference to.  Every TEE
 * object the NW is handed (an output object, an input object of a
 * callback request) gives the NW one reference, which only RELEASE takes
 * back.
 *
 * Memory.  The model's memory objects (EP_MEM_ID...) answer map region
 * with a window of their own and a mapping object; the SHM bridge (the
 * emulator's struct emu_bridge seam) maps a window only while its mapping
 * object lives, never past its length, never writable when read-only,
 * with a guard page behind.  Releasing the mapping object revokes the
 * window: pages still mapped are taken back, and a TEE that touches them
 * after its release faults.  Every mmap must be undone.
 */
#ifndef EMU_NW_H
#define EMU_NW_H

#include <stdbool.h>
#include <stdint.h>

#include "emu.h"
#include "fuzz_bytes.h"
#include "fuzz_idmap.h"
#include "qtee_wire.h"

#define NW_MAX_WINDOWS	256U
#define NW_MAX_ACTIVE	64U

struct nw_window {
	uint64_t address;	/* the mmap offset map region reported */
	uint32_t length;
	uint32_t perms;
	uint32_t mapping;	/* its release revokes the window */
	bool revoked;
};

/* One bridge mmap the TEE holds now. */
struct nw_active {
	uint8_t *base;
	size_t len;
	unsigned int window;
};

struct nw {
	struct emu emu;
	struct fz_idmap ns;	/* NW IDs: a given to the TEE, b given back */
	struct fz_idmap tee;	/* TEE IDs: a references the NW holds */
	struct nw_window win[NW_MAX_WINDOWS];
	unsigned int n_win;
	struct nw_active act[NW_MAX_ACTIVE];
	unsigned int n_act;
	/*
	 * A reference went astray by design (a round trip that failed, a
	 * full pending-release queue): the end-of-input "exactly once"
	 * checks cannot hold, the "never too many" ones still do.
	 */
	bool lossy;
};

void nw_init(struct nw *nw);
void nw_fini(struct nw *nw);

/*
 * The kernel hands the TEE NW ID @id with a reference (NULL, TEE IDs and
 * the primordial object carry none).  Returns the ID to write: the IDs the
 * emulator's faults name stay never issued, so a program naming one gets
 * NULL in its place.
 */
uint32_t nw_hand(struct nw *nw, uint32_t id);
/* Whether the TEE holds a reference to NW ID @id (primordial: always). */
bool nw_live(const struct nw *nw, uint32_t id);
/*
 * Process the async messages of @buf from @pos on, as the kernel does:
 * each release must give back a reference the TEE holds.  A malformed
 * message is allowed only when @faulted (the emulator was told to send
 * one); so is a release of the ID the ASYNC_UNKNOWN_ID fault names.
 */
void nw_take_releases(struct nw *nw, const void *buf, uint32_t cap,
		      uint32_t pos, bool faulted);

/* The NW now holds one more reference to TEE object @id. */
void nw_tee_get(struct nw *nw, uint32_t id);

/*
 * The model kernel's answer to the callback request @req (parsed, its
 * target live), written in place; a map region reads its length and
 * perms from @prog.
 */
void nw_answer_model(struct nw *nw, struct qtee_msg *req, struct fz_in *prog);

#endif /* EMU_NW_H */
