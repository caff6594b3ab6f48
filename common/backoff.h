/* SPDX-License-Identifier: MIT */
/* backoff.h: capped exponential backoff without overflow. */
#ifndef MIGRATED_BACKOFF_H
#define MIGRATED_BACKOFF_H

/*
 * The delay before retry number attempt (1, 2, ...): base, doubled for
 * each attempt after the first, at most cap. Doubles only while below the
 * cap, so no attempt count overflows (`base << (attempt - 1)` is undefined
 * from attempt 25 on for a base of 200).
 */
static inline int
backoff_ms(int attempt, int base, int cap)
{
	int ms = base;

	if (base <= 0 || base >= cap)
		return base < cap ? base : cap;
	while (--attempt > 0 && ms < cap)
		ms = ms > cap / 2 ? cap : ms * 2;
	return ms < cap ? ms : cap;
}

#endif
