/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The Linux input keys paced knows by name (KEY_ENTER ...), for buttons. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <linux/input.h>

/*
 * The keys docs/domain.md 2.1 lists for pedals, clickers, shutter remotes
 * and gpio-key, plus a few spares: the names paced.conf's evdev "keys"
 * group takes. The evdev plugin reads a name into its code; 'paced setup'
 * names the key a press sent. One table in a header, so the plugin links
 * nothing more for it.
 */
static const struct input_key {
	const char *name;
	uint16_t code;
} input_keys[] = {
	{ "KEY_ENTER", KEY_ENTER }, { "KEY_SPACE", KEY_SPACE },
	{ "KEY_ESC", KEY_ESC }, { "KEY_B", KEY_B }, { "KEY_F5", KEY_F5 },
	{ "KEY_PAGEUP", KEY_PAGEUP }, { "KEY_PAGEDOWN", KEY_PAGEDOWN },
	{ "KEY_VOLUMEUP", KEY_VOLUMEUP }, { "KEY_VOLUMEDOWN", KEY_VOLUMEDOWN },
	{ "KEY_PLAYPAUSE", KEY_PLAYPAUSE }, { "KEY_NEXTSONG", KEY_NEXTSONG },
	{ "KEY_PREVIOUSSONG", KEY_PREVIOUSSONG }, { "KEY_CAMERA", KEY_CAMERA },
	{ "KEY_UP", KEY_UP }, { "KEY_DOWN", KEY_DOWN },
	{ "KEY_LEFT", KEY_LEFT }, { "KEY_RIGHT", KEY_RIGHT },
	{ "KEY_A", KEY_A }, { "KEY_C", KEY_C }, { "KEY_P", KEY_P },
	{ "KEY_S", KEY_S }, { "KEY_1", KEY_1 }, { "KEY_2", KEY_2 },
	{ "KEY_3", KEY_3 }, { "KEY_KP0", KEY_KP0 }, { "KEY_KP1", KEY_KP1 },
	{ "KEY_KPENTER", KEY_KPENTER }, { "BTN_0", BTN_0 },
	{ "BTN_LEFT", BTN_LEFT },
};

/* The entry named name, or NULL. */
static inline const struct input_key *input_key_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof(input_keys) / sizeof(input_keys[0]); i++)
		if (!strcmp(input_keys[i].name, name))
			return &input_keys[i];
	return NULL;
}

/* The name of code, or NULL when paced has no name for it. */
static inline const char *input_key_name(uint16_t code)
{
	for (size_t i = 0; i < sizeof(input_keys) / sizeof(input_keys[0]); i++)
		if (input_keys[i].code == code)
			return input_keys[i].name;
	return NULL;
}
