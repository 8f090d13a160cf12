/* SPDX-License-Identifier: GPL-2.0-or-later */
/* FTMS treadmill client: bring-up and the control point procedure over GATT. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "util.h"
#include "gatt-client.h"
#include "ftms-client.h"

#define DEFAULT_CP_TIMEOUT_US		(3 * USEC_PER_SEC)
#define DEFAULT_CONTROL_RETRIES		3
#define DEFAULT_CONTROL_RETRY_US	(500 * USEC_PER_MSEC)

enum conn_state {
	CONN_IDLE,		/* nothing sent yet */
	CONN_BRINGUP,		/* treadmill_connect() running */
	CONN_READY,		/* link up: commands accepted */
	CONN_FAILED,		/* bring-up failed; the bearer may live on */
	CONN_DOWN,		/* the bearer is gone */
};

/* Bring-up steps, in docs/ftms.md 1.9 order; absent characteristics skip. */
enum step {
	STEP_LINK,		/* the bearer's connect(2) to finish */
	STEP_MTU,
	STEP_SERVICE,
	STEP_CHARS,
	STEP_DESCS,
	STEP_READ_FEATURE,
	STEP_READ_SPEED_RANGE,
	STEP_READ_INCLINE_RANGE,
	STEP_CCCD_DATA,
	STEP_CCCD_STATUS,
	STEP_CCCD_TRAINING,
	STEP_CCCD_CP,
	STEP_DONE,
};

enum cp_state {
	CP_IDLE,		/* no command running */
	CP_WRITING,		/* Write Request sent, no indication yet */
	CP_RETRY_WAIT,		/* waiting before a Request Control retry */
};

struct cmd {
	struct cmd *next;
	enum treadmill_op op;
	int32_t arg;
	treadmill_done_func_t done;
	void *user_data;
	int err;		/* outcome, once completed */
	uint8_t result;
	unsigned int retries;	/* Request Control retries used */
};

struct chr {
	uint16_t value;		/* 0: absent */
	uint16_t cccd;		/* 0: absent */
	uint8_t props;
};

struct ftms_client {
	struct loop *loop;
	struct att *att;
	struct treadmill *tm;
	struct ftms_client_opts opts;
	bool freeing;

	enum conn_state state;
	enum step step;
	int notify_id;
	struct cmd *connect_cmd;	/* the connect, until control result */
	int link_fd;			/* dup of the fd, watched for EPOLLOUT */
	int link_watch;			/* ... while STEP_LINK, else 0 */

	bool discover_all;		/* Find By Type Value unsupported */
	uint16_t svc_start, svc_end;
	struct chr feature, data, status, training, speed_range,
		   incline_range, cp;
	struct gatt_char chars[GATT_MAX_CHARS];
	size_t nchars;
	struct treadmill_caps caps;

	/* control point procedure */
	bool in_control;
	bool control_lost;		/* machine revoked it: ask deliberately */
	enum cp_state cp_state;
	struct cmd *cur;		/* the command being run */
	uint8_t cp_op;			/* FTMS op of the write in flight */
	int32_t cp_arg;			/* ... and its parameter */
	bool security_raised;		/* BT_SECURITY asked for once */
	bool cancel_cur;		/* end cur once its prelude is done */
	unsigned int write_seq_sent;	/* CP writes issued ... */
	unsigned int write_seq_done;	/* ... and answered, in ATT order */
	unsigned int cur_write_seq;	/* seq of the write for cur */
	int cp_timer;
	int retry_timer;
	struct cmd *queue_head, *queue_tail;
	struct cmd *done_head, *done_tail;	/* completions to deliver */
	int done_idle;

	struct ftms_assembler asm_;
	struct ftms_client_stats stats;

	att_debug_func_t debug;
	void *debug_data;
};

static void __attribute__((format(printf, 2, 3)))
dbg(struct ftms_client *c, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	if (!c->debug)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	c->debug(buf, c->debug_data);
}

/* ---- completions: always delivered from an idle callback ---- */

static bool deliver_done(void *user_data)
{
	struct ftms_client *c = user_data;
	struct cmd *cmd;

	c->done_idle = 0;
	while ((cmd = c->done_head)) {
		c->done_head = cmd->next;
		if (!c->done_head)
			c->done_tail = NULL;
		if (cmd->done)
			cmd->done(c->tm, cmd->op, cmd->err, cmd->result,
				  cmd->user_data);
		free(cmd);
	}
	return false;
}

/*
 * Completion is deferred so that no runner callback runs inside a call
 * the runner made (treadmill.h), e.g. a superseded set-speed completing
 * inside the treadmill_set_speed() that replaced it.
 */
static void finish(struct ftms_client *c, struct cmd *cmd, int err,
		   uint8_t result)
{
	cmd->err = err;
	cmd->result = result;
	cmd->next = NULL;
	dbg(c, "%s done: %s, result 0x%02x", treadmill_op_name(cmd->op),
	    err ? strerror(-err) : "ok", result);
	if (c->freeing) {
		if (cmd->done)
			cmd->done(c->tm, cmd->op, err, result, cmd->user_data);
		free(cmd);
		return;
	}
	if (c->done_tail)
		c->done_tail->next = cmd;
	else
		c->done_head = cmd;
	c->done_tail = cmd;
	if (!c->done_idle) {
		c->done_idle = loop_add_idle(c->loop, deliver_done, c, NULL);
		if (c->done_idle < 0)
			c->done_idle = 0;
	}
}

/* ---- the command queue ---- */

static void run_next(struct ftms_client *c);

static bool needs_control(enum treadmill_op op)
{
	switch (op) {
	case TREADMILL_OP_CONNECT:
	case TREADMILL_OP_REQUEST_CONTROL:
		return false;
	case TREADMILL_OP_START:
	case TREADMILL_OP_STOP:
	case TREADMILL_OP_PAUSE:
	case TREADMILL_OP_SET_SPEED:
	case TREADMILL_OP_SET_INCLINE:
		return true;
	}
	return true;
}

/* Stop and pause may take control back on their own: stopping is safe. */
static bool may_retake_control(enum treadmill_op op)
{
	switch (op) {
	case TREADMILL_OP_CONNECT:
	case TREADMILL_OP_REQUEST_CONTROL:
	case TREADMILL_OP_STOP:
	case TREADMILL_OP_PAUSE:
		return true;
	case TREADMILL_OP_START:
	case TREADMILL_OP_SET_SPEED:
	case TREADMILL_OP_SET_INCLINE:
		return false;
	}
	return false;
}

static void stop_timer(struct ftms_client *c, int *id)
{
	if (*id > 0)
		loop_remove(c->loop, *id);
	*id = 0;
}

static void complete_cur(struct ftms_client *c, int err, uint8_t result)
{
	struct cmd *cmd = c->cur;

	c->cur = NULL;
	c->cp_state = CP_IDLE;
	c->cancel_cur = false;
	stop_timer(c, &c->cp_timer);
	stop_timer(c, &c->retry_timer);
	if (cmd)
		finish(c, cmd, err, result);
	run_next(c);
}

static int result_to_errno(uint8_t result)
{
	switch (result) {
	case FTMS_RESULT_SUCCESS:
		return 0;
	case FTMS_RESULT_OP_CODE_NOT_SUPPORTED:
		return -EOPNOTSUPP;
	case FTMS_RESULT_INVALID_PARAMETER:
		return -EINVAL;
	case FTMS_RESULT_OPERATION_FAILED:
		return -EIO;
	case FTMS_RESULT_CONTROL_NOT_PERMITTED:
		return -EPERM;
	default:
		return -EPROTO;
	}
}

static void cp_write_cb(int err, uint8_t ecode, void *user_data);
static bool cp_timeout_cb(void *user_data);

/* Writes one control point request (op + parameter) and waits. */
static void cp_write(struct ftms_client *c, uint8_t op, int32_t arg)
{
	uint8_t buf[FTMS_MAX_VALUE_LEN];
	int n, r;

	switch (op) {
	case FTMS_OP_REQUEST_CONTROL:
		n = ftms_encode_request_control(buf, sizeof(buf));
		c->stats.control_requests++;
		break;
	case FTMS_OP_START_OR_RESUME:
		n = ftms_encode_start_or_resume(buf, sizeof(buf));
		break;
	case FTMS_OP_STOP_OR_PAUSE:
		n = arg == FTMS_PAUSE ? ftms_encode_pause(buf, sizeof(buf)) :
					ftms_encode_stop(buf, sizeof(buf));
		break;
	case FTMS_OP_SET_TARGET_SPEED:
		n = ftms_encode_set_target_speed((uint32_t) arg,
						 c->opts.wire_unit, buf,
						 sizeof(buf));
		break;
	case FTMS_OP_SET_TARGET_INCLINATION:
		n = ftms_encode_set_target_inclination((int16_t) arg, buf,
						       sizeof(buf));
		break;
	default:
		n = -EINVAL;
		break;
	}
	if (n < 0) {
		complete_cur(c, n == -ERANGE ? -EINVAL : n, 0);
		return;
	}
	dbg(c, "control point: %s", ftms_op_name(op));
	r = gatt_write(c->att, c->cp.value, buf, (size_t) n, cp_write_cb, c);
	if (r < 0) {
		complete_cur(c, r, 0);
		return;
	}
	c->cp_op = op;
	c->cp_arg = arg;
	c->cur_write_seq = ++c->write_seq_sent;
	c->cp_state = CP_WRITING;
	/* docs/ftms.md 1.7: the outcome is the indication, not the Write
	 * Response; wait for it, but not for ever (pyftms: 2 s). */
	stop_timer(c, &c->cp_timer);
	c->cp_timer = loop_add_timeout(c->loop, c->opts.cp_timeout_us, false,
				       cp_timeout_cb, c, NULL);
}

static uint8_t ftms_op_for(const struct cmd *cmd, int32_t *ret_arg)
{
	*ret_arg = cmd->arg;
	switch (cmd->op) {
	case TREADMILL_OP_CONNECT:
	case TREADMILL_OP_REQUEST_CONTROL:
		return FTMS_OP_REQUEST_CONTROL;
	case TREADMILL_OP_START:
		return FTMS_OP_START_OR_RESUME;
	case TREADMILL_OP_STOP:
		*ret_arg = FTMS_STOP;
		return FTMS_OP_STOP_OR_PAUSE;
	case TREADMILL_OP_PAUSE:
		*ret_arg = FTMS_PAUSE;
		return FTMS_OP_STOP_OR_PAUSE;
	case TREADMILL_OP_SET_SPEED:
		return FTMS_OP_SET_TARGET_SPEED;
	case TREADMILL_OP_SET_INCLINE:
		return FTMS_OP_SET_TARGET_INCLINATION;
	}
	return FTMS_OP_REQUEST_CONTROL;
}

/* Sends cur's request, preceded by Request Control when we lack it. */
static void send_cur(struct ftms_client *c)
{
	struct cmd *cmd = c->cur;
	int32_t arg;
	uint8_t op = ftms_op_for(cmd, &arg);

	if (needs_control(cmd->op) && !c->in_control) {
		/* docs/ftms.md 1.8: after Control Permission Lost or Reset, only
		 * a deliberate request takes control back. */
		if (c->control_lost && !may_retake_control(cmd->op)) {
			complete_cur(c, -EPERM, 0);
			return;
		}
		/* docs/ftms.md 1.7: Request Control is the mandatory first step. */
		cp_write(c, FTMS_OP_REQUEST_CONTROL, 0);
		return;
	}
	cp_write(c, op, arg);
}

static void run_next(struct ftms_client *c)
{
	struct cmd *cmd;

	/* docs/ftms.md 1.7: one procedure at a time. */
	if (c->cur || c->freeing || c->state != CONN_READY)
		return;
	cmd = c->queue_head;
	if (!cmd)
		return;
	c->queue_head = cmd->next;
	if (!c->queue_head)
		c->queue_tail = NULL;
	cmd->next = NULL;
	c->cur = cmd;
	send_cur(c);
}

static void fail_queue(struct ftms_client *c, int err)
{
	struct cmd *cmd;

	while ((cmd = c->queue_head)) {
		c->queue_head = cmd->next;
		if (!c->queue_head)
			c->queue_tail = NULL;
		finish(c, cmd, err, 0);
	}
}

/*
 * The machine stopped, was reset or took control away: drop queued
 * commands that would move the belt, so nothing restarts it behind the
 * user's back (docs/design.md safety rules). Stop and pause stay.
 */
static bool is_mover(enum treadmill_op op)
{
	switch (op) {
	case TREADMILL_OP_START:
	case TREADMILL_OP_SET_SPEED:
	case TREADMILL_OP_SET_INCLINE:
		return true;
	case TREADMILL_OP_CONNECT:
	case TREADMILL_OP_REQUEST_CONTROL:
	case TREADMILL_OP_STOP:
	case TREADMILL_OP_PAUSE:
		return false;
	}
	return false;
}

static void cancel_movers(struct ftms_client *c)
{
	struct cmd **p = &c->queue_head, *cmd;

	c->queue_tail = NULL;
	while ((cmd = *p)) {
		if (is_mover(cmd->op)) {
			*p = cmd->next;
			finish(c, cmd, -ECANCELED, 0);
			continue;
		}
		c->queue_tail = cmd;
		p = &cmd->next;
	}

	/*
	 * The running command too, if it has not reached the machine yet:
	 * it is waiting to retry, or its Request Control prelude is in
	 * flight. One already written is the machine's to judge. Last,
	 * because completing it starts the next (now mover-free) command.
	 */
	if (c->cur && is_mover(c->cur->op)) {
		if (c->cp_state == CP_RETRY_WAIT)
			complete_cur(c, -ECANCELED, 0);
		else if (c->cp_op == FTMS_OP_REQUEST_CONTROL)
			c->cancel_cur = true;
	}
}

static bool retry_cb(void *user_data)
{
	struct ftms_client *c = user_data;

	c->retry_timer = 0;
	if (!c->cur)
		return false;
	cp_write(c, FTMS_OP_REQUEST_CONTROL, 0);
	return false;
}

/*
 * docs/ftms.md 1.9: the control point (and its CCCD) may require an encrypted
 * link and answer Insufficient Encryption/Authentication. Ask the kernel
 * to encrypt once (Just Works: treadmills have no display or keypad);
 * it holds our next PDU until the link is encrypted, so the caller just
 * writes again. On a non-Bluetooth bearer this fails and the error
 * stands.
 */
static bool raise_security(struct ftms_client *c, int err, uint8_t ecode)
{
	int r;

	if (!err || c->security_raised ||
	    (ecode != ATT_ECODE_INSUFF_ENCRYPTION &&
	     ecode != ATT_ECODE_AUTHENTICATION))
		return false;
	c->security_raised = true;
	r = c->opts.raise_security ?
	    c->opts.raise_security(att_get_fd(c->att), false) : -ENOPROTOOPT;
	dbg(c, "%s: raising link security: %s", att_ecode_name(ecode),
	    r < 0 ? strerror(-r) : "ok, writing again");
	return r == 0;
}

static void cp_write_cb(int err, uint8_t ecode, void *user_data)
{
	struct ftms_client *c = user_data;
	unsigned int seq = ++c->write_seq_done;

	if (c->freeing || !c->cur || c->cp_state != CP_WRITING ||
	    seq != c->cur_write_seq)
		return;		/* a write whose command already ended */
	if (raise_security(c, err, ecode)) {
		cp_write(c, c->cp_op, c->cp_arg);
		return;
	}
	if (err) {
		/* CSS Part B 1.2: 0xFE Procedure Already In Progress, 0xFD
		 * CCCD Improperly Configured; either way no indication. */
		dbg(c, "control point write failed: %s (0x%02x)",
		    ecode ? att_ecode_name(ecode) : strerror(-err), ecode);
		complete_cur(c, ecode ? -EIO : err, 0);
	}
}

static bool cp_timeout_cb(void *user_data)
{
	struct ftms_client *c = user_data;

	c->cp_timer = 0;
	if (!c->cur)
		return false;
	c->stats.cp_timeouts++;
	dbg(c, "no indication for %s", ftms_op_name(c->cp_op));
	complete_cur(c, -ETIMEDOUT, 0);
	return false;
}

static void handle_cp_indication(struct ftms_client *c, const uint8_t *value,
				 size_t len)
{
	struct ftms_control_response rsp;
	struct cmd *cmd = c->cur;
	int32_t arg;
	uint8_t op;

	if (ftms_decode_control_response(value, len, &rsp) < 0) {
		c->stats.cp_malformed++;
		dbg(c, "malformed control point indication, dropped");
		return;
	}
	if (!cmd || c->cp_state != CP_WRITING) {
		c->stats.cp_unexpected++;
		dbg(c, "control point indication for %s nobody waited for",
		    ftms_op_name(rsp.request_op) ? : "?");
		return;
	}
	stop_timer(c, &c->cp_timer);
	if (ftms_check_response(&rsp, c->cp_op) < 0) {
		dbg(c, "response to %s while waiting for %s",
		    ftms_op_name(rsp.request_op) ? : "?",
		    ftms_op_name(c->cp_op));
		complete_cur(c, -EPROTO, rsp.result);
		return;
	}
	dbg(c, "%s: %s", ftms_op_name(rsp.request_op),
	    ftms_result_name(rsp.result));

	op = ftms_op_for(cmd, &arg);
	if (rsp.result == FTMS_RESULT_CONTROL_NOT_PERMITTED) {
		c->stats.control_denied++;
		c->in_control = false;
		/* docs/ftms.md 1.10: re-request control on a 0x05 result, but
		 * never to override a machine that revoked it, and never
		 * without bound. */
		if ((c->control_lost && !may_retake_control(cmd->op)) ||
		    cmd->retries >= c->opts.control_retries) {
			complete_cur(c, -EPERM, rsp.result);
			return;
		}
		cmd->retries++;
		c->cp_state = CP_RETRY_WAIT;
		c->retry_timer = loop_add_timeout(c->loop,
						  c->opts.control_retry_us,
						  false, retry_cb, c, NULL);
		return;
	}

	if (c->cp_op == FTMS_OP_REQUEST_CONTROL) {
		if (rsp.result != FTMS_RESULT_SUCCESS) {
			complete_cur(c, result_to_errno(rsp.result),
				     rsp.result);
			return;
		}
		c->in_control = true;
		c->control_lost = false;
		{
			struct treadmill_status st = {
				.kind = TREADMILL_STATUS_CONTROL_GAINED,
			};

			treadmill_emit_status(c->tm, &st);
		}
		if (c->freeing || c->cur != cmd)
			return;
		if (c->cancel_cur) {
			/* The machine stopped while we were taking control
			 * for a mover: it must not go out now. */
			complete_cur(c, -ECANCELED, 0);
			return;
		}
		if (op != FTMS_OP_REQUEST_CONTROL) {
			/* Control was the prelude; now the real request. */
			cp_write(c, op, arg);
			return;
		}
		complete_cur(c, 0, rsp.result);
		return;
	}
	complete_cur(c, result_to_errno(rsp.result), rsp.result);
}

/* ---- notifications ---- */

static void handle_data(struct ftms_client *c, const uint8_t *value,
			size_t len)
{
	struct ftms_treadmill_data rec;
	struct treadmill_data d;
	int r = ftms_assembler_feed(&c->asm_, value, len, &rec);

	if (r <= 0)
		return;		/* buffered, or dropped and counted by asm_ */
	c->stats.data_records++;
	memset(&d, 0, sizeof(d));
	d.time_us = loop_now(c->loop);
	if (rec.present & FTMS_TD_BIT(FTMS_TD_INSTANTANEOUS_SPEED)) {
		d.present |= TREADMILL_DATA_SPEED;
		d.speed = (uint16_t) MIN(rec.instantaneous_speed, 0xffffu);
	}
	if (rec.present & FTMS_TD_BIT(FTMS_TD_AVERAGE_SPEED)) {
		d.present |= TREADMILL_DATA_AVG_SPEED;
		d.avg_speed = (uint16_t) MIN(rec.average_speed, 0xffffu);
	}
	if (rec.present & FTMS_TD_BIT(FTMS_TD_TOTAL_DISTANCE)) {
		d.present |= TREADMILL_DATA_DISTANCE;
		d.distance = rec.total_distance;
	}
	/* A "not available" sentinel is no reading (docs/ftms.md 1.4). */
	if ((rec.present & ~rec.not_available) &
	    FTMS_TD_BIT(FTMS_TD_INCLINATION)) {
		d.present |= TREADMILL_DATA_INCLINE;
		d.incline = rec.inclination;
	}
	if (rec.present & FTMS_TD_BIT(FTMS_TD_ELAPSED_TIME)) {
		d.present |= TREADMILL_DATA_ELAPSED;
		d.elapsed = rec.elapsed_time;
	}
	if (rec.present & FTMS_TD_BIT(FTMS_TD_REMAINING_TIME)) {
		d.present |= TREADMILL_DATA_REMAINING;
		d.remaining = rec.remaining_time;
	}
	if (rec.present & FTMS_TD_BIT(FTMS_TD_HEART_RATE)) {
		d.present |= TREADMILL_DATA_HEART_RATE;
		d.heart_rate = rec.heart_rate;
	}
	if ((rec.present & ~rec.not_available) &
	    FTMS_TD_BIT(FTMS_TD_TOTAL_ENERGY)) {
		d.present |= TREADMILL_DATA_ENERGY;
		d.energy = rec.total_energy;
	}
	if (rec.present & FTMS_TD_BIT(FTMS_TD_STEP_COUNT)) {
		d.present |= TREADMILL_DATA_STEPS;
		d.steps = rec.step_count;
	}
	treadmill_emit_data(c->tm, &d);
}

static void handle_status(struct ftms_client *c, const uint8_t *value,
			  size_t len)
{
	struct ftms_machine_status ms;
	struct treadmill_status st = { .kind = TREADMILL_STATUS_OTHER };
	bool stops = false;
	int r = ftms_decode_machine_status(value, len, c->opts.wire_unit, &ms);

	if (r == -EOPNOTSUPP) {
		/* RFU op: report it raw, act on nothing. */
		st.raw_op = len ? value[0] : 0;
		treadmill_emit_status(c->tm, &st);
		return;
	}
	if (r < 0) {
		c->stats.status_malformed++;
		dbg(c, "malformed machine status, dropped");
		return;
	}
	st.raw_op = ms.op;
	switch (ms.op) {
	case FTMS_STATUS_RESET:
		/* docs/ftms.md 1.7: Reset drops control. */
		st.kind = TREADMILL_STATUS_RESET;
		c->in_control = false;
		c->control_lost = true;
		stops = true;
		break;
	case FTMS_STATUS_STOPPED_OR_PAUSED_BY_USER:
		st.kind = ms.param.stop_pause == FTMS_PAUSE ?
			  TREADMILL_STATUS_PAUSED_BY_USER :
			  TREADMILL_STATUS_STOPPED_BY_USER;
		st.value = ms.param.stop_pause;
		stops = true;
		break;
	case FTMS_STATUS_STOPPED_BY_SAFETY_KEY:
		st.kind = TREADMILL_STATUS_STOPPED_BY_SAFETY_KEY;
		stops = true;
		break;
	case FTMS_STATUS_STARTED_OR_RESUMED_BY_USER:
		st.kind = TREADMILL_STATUS_STARTED_BY_USER;
		break;
	case FTMS_STATUS_TARGET_SPEED_CHANGED:
		st.kind = TREADMILL_STATUS_TARGET_SPEED_CHANGED;
		st.value = (int32_t) ms.param.speed;
		break;
	case FTMS_STATUS_TARGET_INCLINE_CHANGED:
		st.kind = TREADMILL_STATUS_TARGET_INCLINE_CHANGED;
		st.value = ms.param.inclination;
		break;
	case FTMS_STATUS_CONTROL_PERMISSION_LOST:
		st.kind = TREADMILL_STATUS_CONTROL_LOST;
		c->in_control = false;
		c->control_lost = true;
		stops = true;
		break;
	default:
		break;
	}
	if (stops)
		cancel_movers(c);
	treadmill_emit_status(c->tm, &st);
}

static void on_notify(uint8_t opcode, uint16_t handle, const uint8_t *value,
		      size_t len, void *user_data)
{
	struct ftms_client *c = user_data;

	if (c->freeing || !handle)
		return;
	/* The runner hears nothing before link-up (it has no caps yet);
	 * control point indications are ours and always handled. */
	if (c->state != CONN_READY && handle != c->cp.value)
		return;
	if (handle == c->data.value)
		handle_data(c, value, len);
	else if (handle == c->status.value)
		handle_status(c, value, len);
	else if (handle == c->cp.value)
		handle_cp_indication(c, value, len);
	/* Training Status and anything else: nothing to act on. */
}

/* ---- link ---- */

static void emit_caps(struct ftms_client *c)
{
	treadmill_emit_caps(c->tm, &c->caps);
}

/*
 * The watch goes before the fd: link_fd is a dup, so closing it first
 * would leave its registration in the epoll set (epoll(7): a registration
 * lives as long as the open file description, which the bearer's fd keeps
 * open), still firing for a watch that no longer exists.
 */
static void stop_link_wait(struct ftms_client *c)
{
	if (c->link_watch > 0)
		loop_remove(c->loop, c->link_watch);
	c->link_watch = 0;
	if (c->link_fd >= 0)
		close(c->link_fd);
	c->link_fd = -1;
}

static void on_disconnect(int err, void *user_data)
{
	struct ftms_client *c = user_data;
	enum conn_state was = c->state;
	struct cmd *cmd;

	if (c->freeing)
		return;
	dbg(c, "link down: %s", strerror(-err));
	stop_link_wait(c);
	c->state = CONN_DOWN;
	c->in_control = false;
	/* FTMS v1.0 §4.18: a half record is discarded, never completed
	 * with data from another connection. */
	ftms_assembler_reset(&c->asm_);
	stop_timer(c, &c->cp_timer);
	stop_timer(c, &c->retry_timer);
	cmd = c->cur;
	c->cur = NULL;
	c->cp_state = CP_IDLE;
	if (cmd)
		finish(c, cmd, -ENOTCONN, 0);
	fail_queue(c, -ENOTCONN);
	if (c->connect_cmd) {
		cmd = c->connect_cmd;
		c->connect_cmd = NULL;
		finish(c, cmd, err ? err : -ENOTCONN, 0);
	}
	if (was == CONN_READY)
		treadmill_emit_link(c->tm, false, err ? err : -ENOTCONN);
}

static void bringup_next(struct ftms_client *c);

static void bringup_fail(struct ftms_client *c, int err, const char *what)
{
	struct cmd *cmd = c->connect_cmd;

	dbg(c, "bring-up failed at %s: %s", what, strerror(-err));
	c->state = CONN_FAILED;
	c->connect_cmd = NULL;
	if (cmd)
		finish(c, cmd, err, 0);
}

static void mtu_cb(int err, uint8_t ecode, uint16_t mtu, void *user_data)
{
	struct ftms_client *c = user_data;

	if (c->freeing || c->state != CONN_BRINGUP)
		return;
	/* A server that does not do Exchange MTU keeps 23 (§3.4.2). */
	if (err && ecode != ATT_ECODE_REQ_NOT_SUPPORTED) {
		bringup_fail(c, err, "exchange MTU");
		return;
	}
	dbg(c, "ATT_MTU %u", att_get_mtu(c->att));
	c->step = STEP_SERVICE;
	bringup_next(c);
}

static void service_cb(int err, uint8_t ecode, const struct gatt_service *s,
		       size_t count, void *user_data)
{
	struct ftms_client *c = user_data;
	struct att_uuid ftms = att_uuid16(FTMS_UUID_SERVICE);
	size_t i;

	if (c->freeing || c->state != CONN_BRINGUP)
		return;
	if (err && ecode == ATT_ECODE_REQ_NOT_SUPPORTED && !c->discover_all) {
		/* A server without Find By Type Value: list every primary
		 * service (§4.4.1) and pick FTMS by UUID ourselves. */
		c->discover_all = true;
		err = gatt_discover_primary(c->att, NULL, service_cb, c);
		if (err < 0)
			bringup_fail(c, err, "service discovery");
		return;
	}
	if (err) {
		bringup_fail(c, err, "service discovery");
		return;
	}
	for (i = 0; i < count; i++) {
		/* Find By Type Value already matched the UUID; the
		 * fallback lists every service. */
		if (att_uuid_eq(&s[i].uuid, &ftms))
			break;
	}
	if (i == count) {
		bringup_fail(c, -ENODEV, "service discovery (no FTMS)");
		return;
	}
	c->svc_start = s[i].start;
	c->svc_end = s[i].end;
	dbg(c, "FTMS service 0x%04x-0x%04x", c->svc_start, c->svc_end);
	c->step = STEP_CHARS;
	bringup_next(c);
}

static void take_char(struct ftms_client *c, struct chr *dst, uint16_t uuid)
{
	struct att_uuid u = att_uuid16(uuid);
	const struct gatt_char *gc = gatt_find_char(c->chars, c->nchars, &u);

	memset(dst, 0, sizeof(*dst));
	if (!gc)
		return;
	dst->value = gc->value_handle;
	dst->props = gc->props;
}

static void chars_cb(int err, uint8_t ecode, const struct gatt_char *chars,
		     size_t count, void *user_data)
{
	struct ftms_client *c = user_data;

	if (c->freeing || c->state != CONN_BRINGUP)
		return;
	if (err) {
		bringup_fail(c, err, "characteristic discovery");
		return;
	}
	memcpy(c->chars, chars, count * sizeof(*chars));
	c->nchars = count;
	take_char(c, &c->feature, FTMS_UUID_FEATURE);
	take_char(c, &c->data, FTMS_UUID_TREADMILL_DATA);
	take_char(c, &c->status, FTMS_UUID_MACHINE_STATUS);
	take_char(c, &c->training, FTMS_UUID_TRAINING_STATUS);
	take_char(c, &c->speed_range, FTMS_UUID_SUPPORTED_SPEED_RANGE);
	take_char(c, &c->incline_range,
		  FTMS_UUID_SUPPORTED_INCLINATION_RANGE);
	take_char(c, &c->cp, FTMS_UUID_CONTROL_POINT);
	if (!c->data.value) {
		bringup_fail(c, -ENODEV, "characteristic discovery "
			     "(no Treadmill Data)");
		return;
	}
	c->step = STEP_DESCS;
	bringup_next(c);
}

static void find_cccd(struct ftms_client *c, struct chr *ch,
		      const struct gatt_desc *descs, size_t count)
{
	struct att_uuid cccd = att_uuid16(GATT_UUID_CCCD);
	const struct gatt_desc *d;
	size_t i;

	if (!ch->value)
		return;
	for (i = 0; i < c->nchars; i++) {
		if (c->chars[i].value_handle != ch->value)
			continue;
		d = gatt_find_desc(descs, count, ch->value + 1,
				   c->chars[i].end_handle, &cccd);
		ch->cccd = d ? d->handle : 0;
		return;
	}
}

static void descs_cb(int err, uint8_t ecode, const struct gatt_desc *descs,
		     size_t count, void *user_data)
{
	struct ftms_client *c = user_data;

	if (c->freeing || c->state != CONN_BRINGUP)
		return;
	if (err) {
		bringup_fail(c, err, "descriptor discovery");
		return;
	}
	find_cccd(c, &c->data, descs, count);
	find_cccd(c, &c->status, descs, count);
	find_cccd(c, &c->training, descs, count);
	find_cccd(c, &c->cp, descs, count);
	c->step = STEP_READ_FEATURE;
	bringup_next(c);
}

static void read_cb(int err, uint8_t ecode, const uint8_t *value, size_t len,
		    void *user_data)
{
	struct ftms_client *c = user_data;

	if (c->freeing || c->state != CONN_BRINGUP)
		return;
	/*
	 * docs/ftms.md 1.3/1.6: features and ranges are hints. A read that fails
	 * or does not decode leaves the capability unknown rather than
	 * failing the link: the runner still clamps to its own limits.
	 */
	switch (c->step) {
	case STEP_READ_FEATURE: {
		struct ftms_feature f;

		if (!err && ftms_decode_feature(value, len, &f) == 0) {
			c->caps.machine_features = f.machine;
			c->caps.target_features = f.target;
		} else {
			dbg(c, "Feature unreadable, ignoring");
		}
		break;
	}
	case STEP_READ_SPEED_RANGE: {
		struct ftms_speed_range r;

		if (!err && ftms_decode_speed_range(value, len,
						    c->opts.wire_unit,
						    &r) == 0) {
			c->caps.has_speed_range = true;
			c->caps.speed_min = (uint16_t) MIN(r.min, 0xffffu);
			c->caps.speed_max = (uint16_t) MIN(r.max, 0xffffu);
			c->caps.speed_inc = (uint16_t) MIN(r.increment,
							   0xffffu);
		} else {
			dbg(c, "Supported Speed Range unreadable, ignoring");
		}
		break;
	}
	case STEP_READ_INCLINE_RANGE: {
		struct ftms_incline_range r;

		if (!err && ftms_decode_incline_range(value, len, &r) == 0) {
			c->caps.has_incline_range = true;
			c->caps.incline_min = r.min;
			c->caps.incline_max = r.max;
			c->caps.incline_inc = r.increment;
		} else {
			dbg(c, "Supported Inclination Range unreadable, "
			    "ignoring");
		}
		break;
	}
	case STEP_LINK:
	case STEP_MTU:
	case STEP_SERVICE:
	case STEP_CHARS:
	case STEP_DESCS:
	case STEP_CCCD_DATA:
	case STEP_CCCD_STATUS:
	case STEP_CCCD_TRAINING:
	case STEP_CCCD_CP:
	case STEP_DONE:
		break;
	}
	c->step++;
	bringup_next(c);
}

static void cccd_cb(int err, uint8_t ecode, void *user_data)
{
	struct ftms_client *c = user_data;

	if (c->freeing || c->state != CONN_BRINGUP)
		return;
	if (raise_security(c, err, ecode)) {
		bringup_next(c);	/* the same CCCD again */
		return;
	}
	/* Without data or control-point indications there is nothing safe
	 * to do; a missing status or training subscription is survivable. */
	if (err && (c->step == STEP_CCCD_DATA || c->step == STEP_CCCD_CP)) {
		bringup_fail(c, err, "enabling notifications");
		return;
	}
	c->step++;
	bringup_next(c);
}

static void bringup_done(struct ftms_client *c)
{
	struct cmd *cmd = c->connect_cmd;

	c->caps.can_control = c->cp.value && c->cp.cccd &&
			      (c->cp.props & GATT_PROP_WRITE) &&
			      (c->cp.props & GATT_PROP_INDICATE);
	/* pyftms: a target feature without its range is not trusted. */
	c->caps.speed_target = c->caps.can_control &&
			       (c->caps.target_features & FTMS_TARGET_SPEED) &&
			       c->caps.has_speed_range;
	c->caps.incline_target = c->caps.can_control &&
				 (c->caps.target_features &
				  FTMS_TARGET_INCLINATION) &&
				 c->caps.has_incline_range;
	c->state = CONN_READY;
	emit_caps(c);
	if (c->freeing || c->state != CONN_READY)
		return;
	treadmill_emit_link(c->tm, true, 0);
	if (c->freeing || c->state != CONN_READY)
		return;
	c->connect_cmd = NULL;
	if (!cmd)
		return;
	if (!c->caps.can_control) {
		/* Advisory only: the link is up, there is nothing to take. */
		finish(c, cmd, 0, 0);
		return;
	}
	/* The connect completes with the Request Control result, ahead of
	 * anything the runner queued from its link-up handler. */
	cmd->next = c->queue_head;
	c->queue_head = cmd;
	if (!c->queue_tail)
		c->queue_tail = cmd;
	run_next(c);
}

/*
 * A non-blocking connect has finished when the socket turns writable
 * (connect(2): "poll for completion by selecting the socket for
 * writing"); SO_ERROR then says how. The ATT bearer keeps its own EPOLLIN
 * watch on the fd, and one fd cannot be in an epoll set twice, hence the
 * dup for this one-off watch.
 */
static bool on_link_writable(int fd, uint32_t events, void *user_data)
{
	struct ftms_client *c = user_data;
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	stop_link_wait(c);
	if (c->freeing || c->state != CONN_BRINGUP)
		return false;
	if (err) {
		bringup_fail(c, -err, "connect");
		return false;
	}
	dbg(c, "link connected");
	c->opts.connecting = false;
	c->step = STEP_MTU;
	bringup_next(c);
	return false;
}

static int wait_link(struct ftms_client *c)
{
	c->link_fd = fcntl(att_get_fd(c->att), F_DUPFD_CLOEXEC, 3);
	if (c->link_fd < 0)
		return -errno;
	c->link_watch = loop_add_fd(c->loop, c->link_fd, EPOLLOUT,
				    on_link_writable, c, NULL);
	if (c->link_watch < 0) {
		int r = c->link_watch;

		c->link_watch = 0;
		stop_link_wait(c);
		return r;
	}
	return 0;
}

static void bringup_next(struct ftms_client *c)
{
	struct att_uuid ftms = att_uuid16(FTMS_UUID_SERVICE);
	struct chr *ch = NULL;
	uint16_t bits = GATT_CCCD_NOTIFY;
	int r = 0;

	for (;;) {
		switch (c->step) {
		case STEP_LINK:
			if (!c->opts.connecting) {
				c->step++;
				continue;
			}
			r = wait_link(c);
			break;
		case STEP_MTU:
			if (c->opts.mtu <= ATT_DEFAULT_LE_MTU) {
				c->step++;
				continue;
			}
			r = gatt_exchange_mtu(c->att, c->opts.mtu, mtu_cb, c);
			break;
		case STEP_SERVICE:
			r = gatt_discover_primary(c->att, &ftms, service_cb,
						  c);
			break;
		case STEP_CHARS:
			r = gatt_discover_chars(c->att, c->svc_start,
						c->svc_end, chars_cb, c);
			break;
		case STEP_DESCS:
			if (c->svc_end <= c->svc_start) {
				c->step++;
				continue;
			}
			r = gatt_discover_descs(c->att, c->svc_start + 1,
						c->svc_end, descs_cb, c);
			break;
		case STEP_READ_FEATURE:
			ch = &c->feature;
			goto read;
		case STEP_READ_SPEED_RANGE:
			ch = &c->speed_range;
			goto read;
		case STEP_READ_INCLINE_RANGE:
			ch = &c->incline_range;
read:
			if (!ch->value || !(ch->props & GATT_PROP_READ)) {
				c->step++;
				continue;
			}
			r = gatt_read(c->att, ch->value, read_cb, c);
			break;
		case STEP_CCCD_DATA:
			ch = &c->data;
			goto cccd;
		case STEP_CCCD_STATUS:
			ch = &c->status;
			goto cccd;
		case STEP_CCCD_TRAINING:
			ch = &c->training;
			goto cccd;
		case STEP_CCCD_CP:
			ch = &c->cp;
			bits = GATT_CCCD_INDICATE;
cccd:
			if (!ch->cccd) {
				if (c->step == STEP_CCCD_DATA) {
					bringup_fail(c, -ENODEV,
						     "Treadmill Data has no CCCD");
					return;
				}
				c->step++;
				continue;
			}
			r = gatt_write_cccd(c->att, ch->cccd, bits, cccd_cb, c);
			break;
		case STEP_DONE:
			bringup_done(c);
			return;
		}
		break;
	}
	if (r < 0)
		bringup_fail(c, r, "sending a request");
}

/* ---- treadmill driver ops ---- */

static int drv_command(void *impl, enum treadmill_op op, int32_t arg,
		       treadmill_done_func_t done, void *user_data)
{
	struct ftms_client *c = impl;
	struct cmd *cmd, **p;

	switch (op) {
	case TREADMILL_OP_CONNECT:
		if (c->state != CONN_IDLE)
			return c->state == CONN_DOWN ? -ENOTCONN : -EALREADY;
		break;
	case TREADMILL_OP_SET_SPEED:
		if (arg < 0 || arg > 0xffff)
			return -EINVAL;
		/* fall through */
	case TREADMILL_OP_REQUEST_CONTROL:
	case TREADMILL_OP_START:
	case TREADMILL_OP_STOP:
	case TREADMILL_OP_PAUSE:
	case TREADMILL_OP_SET_INCLINE:
		if (c->state != CONN_READY)
			return -ENOTCONN;
		if (!c->caps.can_control)
			return -EOPNOTSUPP;
		break;
	}

	cmd = paced_new0(struct cmd, 1);
	cmd->op = op;
	cmd->arg = arg;
	cmd->done = done;
	cmd->user_data = user_data;

	if (op == TREADMILL_OP_CONNECT) {
		c->connect_cmd = cmd;
		c->state = CONN_BRINGUP;
		c->step = STEP_LINK;
		bringup_next(c);
		return 0;
	}

	/* The newest target wins: replace one that has not gone out yet. */
	if (op == TREADMILL_OP_SET_SPEED || op == TREADMILL_OP_SET_INCLINE) {
		for (p = &c->queue_head; *p; p = &(*p)->next) {
			struct cmd *old = *p;

			if (old->op != op)
				continue;
			cmd->next = old->next;
			*p = cmd;
			if (c->queue_tail == old)
				c->queue_tail = cmd;
			finish(c, old, -ECANCELED, 0);
			run_next(c);
			return 0;
		}
	}
	if (c->queue_tail)
		c->queue_tail->next = cmd;
	else
		c->queue_head = cmd;
	c->queue_tail = cmd;
	run_next(c);
	return 0;
}

static bool drv_in_control(void *impl)
{
	struct ftms_client *c = impl;

	return c->in_control;
}

static void client_destroy(void *impl)
{
	struct ftms_client *c = impl;
	struct cmd *cmd;

	c->freeing = true;
	stop_link_wait(c);
	stop_timer(c, &c->cp_timer);
	stop_timer(c, &c->retry_timer);
	if (c->done_idle > 0)
		loop_remove(c->loop, c->done_idle);
	c->done_idle = 0;
	/* Deliver what already completed, then cancel the rest. */
	while ((cmd = c->done_head)) {
		c->done_head = cmd->next;
		if (cmd->done)
			cmd->done(c->tm, cmd->op, cmd->err, cmd->result,
				  cmd->user_data);
		free(cmd);
	}
	c->done_tail = NULL;
	if (c->cur) {
		cmd = c->cur;
		c->cur = NULL;
		finish(c, cmd, -ECANCELED, 0);
	}
	if (c->connect_cmd) {
		cmd = c->connect_cmd;
		c->connect_cmd = NULL;
		finish(c, cmd, -ECANCELED, 0);
	}
	fail_queue(c, -ECANCELED);
	if (c->att) {
		att_unregister_notify(c->att, c->notify_id);
		att_set_disconnect_cb(c->att, NULL, NULL, NULL);
		att_unref(c->att);
	}
	free(c);
}

/* The driver-neutral view of the stats, for the session log. ATT Error
 * Responses are left out: every discovery ends with Attribute Not Found. */
static void drv_counters(const void *impl, struct treadmill_counters *ret)
{
	struct ftms_client_stats s;

	ftms_client_get_stats(impl, &s);
	ret->malformed = s.data_malformed + s.status_malformed +
			 s.cp_malformed + s.att.dropped_malformed +
			 s.att.dropped_oversize;
	ret->unexpected = s.cp_unexpected + s.att.dropped_unexpected +
			  s.att.wrong_response;
	ret->timeouts = s.cp_timeouts + s.att.timeouts;
	ret->denied = s.control_denied;
}

static const struct treadmill_driver_ops ftms_ops = {
	.name = "ftms",
	.command = drv_command,
	.in_control = drv_in_control,
	.destroy = client_destroy,
	.counters = drv_counters,
};

struct ftms_client *ftms_client_new(struct loop *loop, int fd,
				    const struct ftms_client_opts *opts)
{
	struct ftms_client *c;

	if (!loop || fd < 0) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	c = paced_new0(struct ftms_client, 1);
	c->loop = loop;
	c->link_fd = -1;
	if (opts)
		c->opts = *opts;
	if (!c->opts.mtu)
		c->opts.mtu = ATT_MAX_MTU;
	c->opts.mtu = MIN(c->opts.mtu, (uint16_t) ATT_MAX_MTU);
	if (!c->opts.cp_timeout_us)
		c->opts.cp_timeout_us = DEFAULT_CP_TIMEOUT_US;
	if (!c->opts.control_retries)
		c->opts.control_retries = DEFAULT_CONTROL_RETRIES;
	if (!c->opts.control_retry_us)
		c->opts.control_retry_us = DEFAULT_CONTROL_RETRY_US;
	ftms_assembler_init(&c->asm_, c->opts.wire_unit);

	c->att = att_new(loop, fd, true);
	if (!c->att) {
		close(fd);
		free(c);
		return NULL;
	}
	att_set_timeout(c->att, c->opts.att_timeout_us);
	att_set_disconnect_cb(c->att, on_disconnect, c, NULL);
	c->notify_id = att_register_notify(c->att, on_notify, c, NULL);
	c->tm = treadmill_new(&ftms_ops, c);
	return c;
}

void ftms_client_free(struct ftms_client *c)
{
	if (c)
		treadmill_free(c->tm);
}

struct treadmill *ftms_client_get_treadmill(struct ftms_client *c)
{
	return c->tm;
}

struct att *ftms_client_get_att(struct ftms_client *c)
{
	return c->att;
}

const char *ftms_client_strerror(int err)
{
	switch (-err) {
	case ERANGE:
		return "the treadmill answered Exchange MTU with less than 23 bytes, which Bluetooth does not allow (Core Vol 3 Part F 3.4.2.2)";
	case ENODEV:
		return "the device is not an FTMS treadmill (no Fitness Machine service, or no Treadmill Data)";
	case EBADMSG:
		return "the treadmill sent a malformed ATT answer";
	case EPROTO:
		return "the treadmill answered out of turn (an ATT protocol violation)";
	case EMSGSIZE:
		return "the treadmill's GATT database has more entries than paced reads";
	case ETIMEDOUT:
		return "the treadmill stopped answering (ATT 30 s timeout)";
	default:
		return strerror(-err);
	}
}

void ftms_client_get_stats(const struct ftms_client *c,
			   struct ftms_client_stats *ret_stats)
{
	struct ftms_client_stats s = c->stats;

	att_get_stats(c->att, &s.att);
	s.data_malformed = c->asm_.malformed + c->asm_.overflows;
	*ret_stats = s;
}

static void att_debug(const char *str, void *user_data)
{
	struct ftms_client *c = user_data;

	if (c->debug)
		c->debug(str, c->debug_data);
}

void ftms_client_set_debug(struct ftms_client *c, att_debug_func_t func,
			   void *user_data)
{
	c->debug = func;
	c->debug_data = user_data;
	att_set_debug(c->att, func ? att_debug : NULL, c, NULL);
}
