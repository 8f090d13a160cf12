/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: the simulator's ATT server fed arbitrary client PDUs. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "att-types.h"
#include "mainloop.h"
#include "sim.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Input: two bytes of quirk bits (enum sim_quirk), then records. A record
 * is a length byte and that many bytes, sent as one SEQPACKET message
 * (one ATT PDU); length 0xff is followed by a 16-bit length (for PDUs
 * past any MTU); length 0 lets 500 ms of fake time pass (data ticks,
 * timed quirks, the indication timeout). The server must answer only
 * with PDUs a server may send, never longer than ATT_MAX_MTU, and must
 * survive everything.
 */
static bool server_opcode(uint8_t op)
{
	switch (op) {
	case ATT_OP_ERROR_RSP:
	case ATT_OP_MTU_RSP:
	case ATT_OP_FIND_INFO_RSP:
	case ATT_OP_FIND_BY_TYPE_RSP:
	case ATT_OP_READ_BY_TYPE_RSP:
	case ATT_OP_READ_RSP:
	case ATT_OP_READ_BLOB_RSP:
	case ATT_OP_READ_BY_GRP_TYPE_RSP:
	case ATT_OP_WRITE_RSP:
	case ATT_OP_HANDLE_NFY:
	case ATT_OP_HANDLE_IND:
		return true;
	default:
		return false;
	}
}

static void drain(int fd)
{
	uint8_t buf[ATT_MAX_MTU + 16];
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC)) > 0) {
		if ((size_t) n > ATT_MAX_MTU || !server_opcode(buf[0]))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fake_clock fc;
	struct sim_config cfg;
	struct loop *loop;
	struct sim *sim;
	size_t off = 2;
	int sv[2];

	if (size < 2)
		return 0;
	fake_clock_init(&fc, 1000000);
	loop = loop_new(&fc.clock);
	if (!loop)
		abort();
	sim_config_init(&cfg);
	cfg.quirks = get_le16(data) & ((1u << SIM_QUIRK_COUNT) - 1);
	cfg.drop_link_at_us = 2 * USEC_PER_SEC;
	cfg.stall_at_us = USEC_PER_SEC;
	cfg.lose_control_at_us = USEC_PER_SEC;
	sim = sim_new(loop, &cfg);
	if (!sim || socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) < 0 ||
	    sim_attach(sim, sv[1], true) < 0)
		abort();

	while (off < size) {
		size_t len = data[off++];

		if (len == 0xff) {
			if (off + 2 > size)
				break;
			len = get_le16(data + off) % 600;
			off += 2;
		}
		if (len == 0) {
			fake_clock_advance(&fc, 500000);
		} else {
			len = MIN(len, size - off);
			/* A send fails only once the simulator hung up. */
			(void) send(sv[0], data + off, len, MSG_DONTWAIT);
			off += len;
		}
		for (int i = 0; i < 4 && loop_iterate(loop, 0) > 0; i++)
			;
		drain(sv[0]);
	}
	sim_free(sim);
	close(sv[0]);
	loop_free(loop);
	return 0;
}
