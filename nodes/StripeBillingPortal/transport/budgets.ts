/**
 * The budgets an account limiter holds for Stripe's limits: a requests-per-second rate that
 * adapts to Stripe's answers, the requests in flight, and the recent window both measure by.
 */

/**
 * On a rate-limited answer a budget falls to this share of its rate (a multiplicative decrease:
 * the process that asks for more gives up more, so processes sharing an account drift towards
 * equal shares and finish a burst together) …
 */
const DECREASE_FACTOR = 0.8;
/**
 * … or, when it sent more than this many times what Stripe granted it over the last second,
 * straight down to what was granted: the first overshoot of a burst (every process starting at the
 * documented limit) ends in one step instead of seconds of 429s. Both the decrease and this test
 * start from what the process actually sent, not from its budget: early in a burst, while the
 * executions are still arriving, a process sends less than its budget allows, and 80 % of an
 * unused 24/s would change nothing.
 */
const OVERSHOOT = 2;
/**
 * … once per overshoot: a 429 lowers the budget again only for a request that started at least
 * this long after the last decrease. The 429s of requests sent before it (or just after, while
 * Stripe's last second is still full of the overshoot) mean that overshoot, already answered;
 * one sent later at the lowered rate means the rate is still too high, and waiting a whole second
 * to say so costs a second of 429s.
 */
const DECREASE_AFTER_MS = 250;
/**
 * A lowered budget grows back by this share of its cap per second (an additive increase: the
 * same for every process, so shares even out), once no 429 came for QUIET_MS after an 80 %
 * decrease: right after one the account is full, and probing at once only buys the next 429.
 */
const INCREASE_SHARE_OF_CAP = 0.005;
const QUIET_MS = 3_000;
/**
 * A lowered budget spaces its requests a little unevenly, each gap 95–105 % of the even one (the
 * rate on average stays): processes pacing evenly against one account fall into step, and then
 * Stripe's 429s keep landing on the same one of them, which keeps lowering its share while the
 * others keep theirs. Random gaps spread the 429s by how much each sends, which is what evens the
 * shares out. Wider gaps would crowd some seconds (against a 5/s sliding window ±15 % cost a
 * single worker 5 % of its pace). At its cap a budget keeps even gaps, so a process alone never
 * puts one request too many into a second.
 */
const SPACING_JITTER = 0.05;
/**
 * After this long without a 429 the processes that shared the account have likely finished (or
 * another app stopped): a lowered budget then also grows by LONG_QUIET_GROWTH a second, so that
 * it is back at its cap within about 40 s instead of the three minutes the additive step alone
 * would take from a small share. Processes still sharing the account see a 429 far more often
 * than this, so their shares still even out by the additive step alone.
 */
const LONG_QUIET_MS = 20_000;
const LONG_QUIET_GROWTH = 1.1;
/**
 * A budget that has not heard from Stripe yet (no 429 so far) starts at this share of its cap
 * and, while its answers succeed, grows by SLOW_START_STEP of its cap for each answer, as TCP's
 * slow start grows its window by one segment per acknowledgement: the growth is exponential in
 * time (the more it sends, the more answers raise it), so one run alone is at the cap within
 * about a second, while processes starting together (queue-mode workers after a deploy) meet
 * the account's real limit at a fraction of their caps, with a few 429s instead of a storm.
 */
const SLOW_START_SHARE = 1 / 8;
const SLOW_START_STEP = 1 / 4;
/** An answer raises a budget in slow start if a request had to wait for it this recently. */
const HELD_RECENTLY_MS = 1_000;
/** What Stripe granted is measured over at least this long: one answer a few ms into a burst says nothing of a rate. */
const MIN_MEASURE_MS = 250;

/** No budget falls below this: an account shared with a busy neighbour still moves. */
const MIN_RATE = 0.5;
/*
 * Processes keeping a stated share of the account (the credential's Processes Sharing the
 * Account, N) pace on one timetable they can all read without talking to each other: the wall
 * clock. Every process's gap is the same (1000 / its share), and is cut into N phases counted
 * from the Unix epoch; a shared budget starts its requests only at its own phase, once a gap.
 * Processes on different phases interleave evenly, so the account sees one even stream at
 * N × the share; two on one phase still pass (their pair is followed by an empty phase). A 429
 * moves the process to another phase drawn at random, where it stays. Measured in the limiter's
 * simulator with four processes (the convergence test), with and without late timers: means of
 * 0.1–1.6 % of requests refused, against 2.9–6.4 % for the same shares at random phases moved by
 * a random part of a gap after each 429 (docs/performance.md). Unshared budgets below their caps
 * vary every gap instead (SPACING_JITTER).
 */
/**
 * A budget keeping a stated share of the account (the credential's Processes Sharing the
 * Account) lowers itself only once Stripe refused this many of its last SHARED_WINDOW requests:
 * fewer are collisions with the other processes' requests, which moving ends, while lowering
 * would leave its rate different from theirs, and processes at different rates keep running
 * into each other. A share set too high (more processes than stated, another app on the account)
 * is refused far more often and still lowers itself.
 */
const SHARED_LIMITED = 3;
const SHARED_WINDOW = 10;
/** A concurrency 429 caps the requests in flight at this share of those running when it came. */
const CONCURRENCY_DECREASE_FACTOR = 0.7;
/** A concurrency cap that has grown back to this is lifted. */
const CONCURRENCY_CEILING = 64;

/** The least a budget falls to: MIN_RATE, or its cap if that is lower (a small share of a shared account). */
const floorOf = (cap: number): number => Math.min(MIN_RATE, cap);

/** When requests started, or were answered, within the last second: what this process sent, and what Stripe granted it. */
class RecentWindow {
	private times: number[] = [];

	private head = 0;

	/** The first entry after a second without any: how long the window has been filling. */
	private busySince = Number.NEGATIVE_INFINITY;

	add(now: number): void {
		this.trim(now);
		if (this.times.length === this.head) this.busySince = now;
		this.times.push(now);
	}

	/** Entries per second over the last second, or over the time since they began if that is shorter. */
	rate(now: number): number {
		this.trim(now);
		const count = this.times.length - this.head;
		if (count === 0) return 0;
		return (count * 1000) / Math.max(MIN_MEASURE_MS, Math.min(1000, now - this.busySince));
	}

	private trim(now: number): void {
		while (this.head < this.times.length && this.times[this.head] <= now - 1000) this.head++;
		// Drop the consumed front now and then, so the array stays about one second long.
		if (this.head > 64 && this.head * 2 > this.times.length) {
			this.times = this.times.slice(this.head);
			this.head = 0;
		}
	}
}

/**
 * A requests-per-second budget that lowers itself on rate-limited answers and recovers slowly:
 * additive increase, multiplicative decrease (AIMD), as TCP shares a link between senders that
 * cannot see each other. Processes sharing a Stripe account (n8n queue-mode workers, other apps)
 * converge that way on equal shares of its limit.
 */
export class RateBudget {
	rate: number;

	/** How many processes seem to share the account's work (executionSpread.ts): 1 until the execution IDs say more. */
	private sharedBy = 1;

	/** Whether the budget is still in slow start: no 429 yet, not yet at its cap. */
	slowStart = true;

	/** When a request last had to wait for this budget. */
	private lastHeld = Number.NEGATIVE_INFINITY;

	private lastStart = Number.NEGATIVE_INFINITY;

	private lastDecrease = Number.NEGATIVE_INFINITY;

	private lastIncrease: number;

	/** When a lowered budget may start growing again. */
	private growsFrom = Number.NEGATIVE_INFINITY;

	/** This gap's share of the even spacing, drawn at each start. */
	private jitter = 1;

	/** Which of the shared timetable's phases this process keeps (0 … processes − 1). */
	private phase = 0;

	/** Requests started so far, and which of them (by that count) were refused lately: whether a shared budget's 429s persist. */
	private starts = 0;

	private refusedStarts: number[] = [];

	private readonly answers = new RecentWindow();

	private readonly sent = new RecentWindow();

	/**
	 * @param processes how many processes share the account, as the credential states; above one
	 * the cap is this process's share: the budget starts at it (the processes already leave each
	 * other room, so there is no storm to avoid), keeps its phase of the shared timetable, and
	 * takes lone 429s as collisions (SHARED_LIMITED).
	 * @param epoch the Unix time in ms at which `now` read 0: where the shared timetable is counted from.
	 */
	constructor(
		public cap: number,
		now: number,
		private readonly random?: () => number,
		private processes = 1,
		private readonly epoch: () => number = () => 0,
	) {
		this.rate = this.shared ? cap : Math.max(floorOf(cap), cap * SLOW_START_SHARE);
		this.slowStart = !this.shared;
		this.lastIncrease = now;
		this.phase = this.drawPhase();
	}

	private get shared(): boolean {
		return this.processes > 1;
	}

	/**
	 * The execution IDs this process runs suggest `processes` processes share the account's work.
	 * In slow start the budget keeps its part of what it would have alone; afterwards Stripe's
	 * answers, not a guess, say what the account has room for.
	 *
	 * Processes that start together meet the account's real limit at a fraction of their caps, but
	 * each needs a 429 of its own to leave slow start, and while the first ones come the others still
	 * grow: four workers whose credential states nothing got 21 of their first 5 s's requests refused
	 * in the limiter's simulator. A budget that can tell it is one of several (executionSpread.ts:
	 * the execution IDs it runs leave gaps) starts at its part of the starting share and grows by
	 * its part of the step, so that together they grow about as one process alone would
	 * (docs/performance.md, tenth session).
	 */
	seenAmong(processes: number): void {
		if (this.slowStart && !this.shared) this.rate = Math.min(this.cap, Math.max(floorOf(this.cap), (this.rate * this.sharedBy) / processes));
		this.sharedBy = processes;
	}

	/** A new cap (the credential's limits changed): what the budget learnt is kept as a share of it. */
	recap(cap: number, processes = this.processes): void {
		if (processes !== this.processes) {
			this.processes = processes;
			this.phase = this.drawPhase();
			if (this.shared && this.slowStart) {
				// A budget that has learnt nothing yet starts at its stated share, as one made for it
				// does: the other processes keep to theirs, so there is nothing to find by growing.
				// One that 429s have already lowered keeps what it learnt (below).
				this.slowStart = false;
				this.cap = cap;
				this.rate = cap;
				return;
			}
		}
		if (cap === this.cap) return;
		this.rate = Math.max(floorOf(cap), Math.min(cap, (this.rate * cap) / this.cap));
		this.cap = cap;
	}

	/**
	 * When the next request may start under this budget. `now` is given when this budget sets the
	 * request's pace (the lower of the two it needs): a shared budget then keeps its phase. Two
	 * timetables could never both be kept, and the other budget has room to spare anyway.
	 */
	nextStart(now?: number): number {
		const gap = 1000 / this.rate;
		if (this.shared && now !== undefined) {
			// A start at most half a phase late (a busy event loop) still takes its phase instead of waiting a whole gap for the next.
			const half = gap / (2 * this.processes);
			return this.phaseTime(Math.max(this.lastStart + gap - half, now - half), 'next');
		}
		// A shared budget keeps even gaps below its share too: the processes' equal, even paces are what keeps them apart.
		return this.lastStart + gap * (this.rate < this.cap && !this.shared ? this.jitter : 1);
	}

	/** `onTimetable`: whether this budget set the request's pace (see nextStart). */
	started(now: number, onTimetable = false): void {
		this.lastStart = this.shared ? this.timetabled(now, onTimetable) : now;
		this.starts++;
		this.sent.add(now);
		this.jitter = 1 - SPACING_JITTER + 2 * SPACING_JITTER * (this.random?.() ?? 0.5);
	}

	/**
	 * When a shared budget counts a start: a start that came late (a busy event loop, the
	 * endpoint's budget) at its due time, so that delays do not add up into a drift that carries
	 * this process's requests into the others'; one later than half a gap (the budget sat idle)
	 * at its own time, starting a new timetable.
	 */
	private timetabled(now: number, onTimetable: boolean): number {
		const due = onTimetable ? this.phaseTime(now, 'last') : this.nextStart();
		return now >= due - 1 && now - due < 500 / this.rate ? due : now;
	}

	/** This process's phase of the shared timetable: the first time of it from `at` on, or the last up to `at`. */
	private phaseTime(at: number, which: 'next' | 'last'): number {
		const gap = 1000 / this.rate;
		const offset = (this.phase * gap) / this.processes;
		// Counted from the epoch, so that every process on the account reads the same timetable; within a millisecond counts as on time.
		const epoch = this.epoch();
		const since = at + epoch - offset;
		const gaps = which === 'next' ? Math.ceil((since - 1) / gap) : Math.floor((since + 1) / gap);
		return gaps * gap + offset - epoch;
	}

	/** A phase of the shared timetable at random: a process cannot see which phases the others keep. */
	private drawPhase(): number {
		// Drawn only when shared: an unshared budget's jitter then draws what it drew before phases existed.
		return this.shared ? this.randomBelow(this.processes, 0) : 0;
	}

	/** A whole number from 0 to `count` − 1, or what `fallback` (a draw in [0, 1)) gives without a random source. */
	private randomBelow(count: number, fallback: number): number {
		return Math.min(count - 1, Math.floor((this.random?.() ?? fallback) * count));
	}

	/** A rate-limited answer to a request started at `startedAt`. */
	limited(now: number, startedAt: number): void {
		if (this.shared) {
			// Another phase than this one, at random: the 429 says this one is crowded.
			this.phase = (this.phase + 1 + this.randomBelow(this.processes - 1, 0.5)) % this.processes;
			this.refusedStarts.push(this.starts);
			while (this.refusedStarts[0] <= this.starts - SHARED_WINDOW) this.refusedStarts.shift();
			if (this.refusedStarts.length < SHARED_LIMITED) return;
		}
		if (startedAt < this.lastDecrease + DECREASE_AFTER_MS) return;
		const wasStarting = this.slowStart;
		this.slowStart = false;
		const granted = this.answers.rate(now);
		const sent = Math.min(this.rate, this.sent.rate(now) || this.rate);
		// A shared budget lowered by its third 429 in ten was at its share: 80 % of it, not the bare
		// second of answers a burst's overshoot falls to.
		const overshoot = !this.shared && granted > 0 && sent > OVERSHOOT * granted;
		this.rate = Math.max(floorOf(this.cap), overshoot ? granted : sent * DECREASE_FACTOR);
		this.lastDecrease = now;
		this.lastIncrease = now;
		// After a fall to what was granted, growth starts at once: the account had room for that
		// much, and the others sharing it fell to theirs too, so together they are at or under its limit.
		// So does a budget's first, in slow start: it came up from below, so it holds less than its
		// share of an account others already fill, and waiting would keep it there.
		this.growsFrom = overshoot || wasStarting ? now : now + QUIET_MS;
	}

	/** A request had to wait for this budget: the budget, not the work, set the pace. */
	held(now: number): void {
		this.lastHeld = now;
	}

	answered(now: number): void {
		this.answers.add(now);
		if (this.slowStart) {
			// Grows only while it holds requests back: a trickle of answers (executions still
			// arriving) says nothing of what a burst may send.
			if (now - this.lastHeld <= HELD_RECENTLY_MS) this.rate = Math.min(this.cap, this.rate + (SLOW_START_STEP * this.cap) / this.sharedBy);
			if (this.rate >= this.cap) this.slowStart = false;
		} else if (this.rate < this.cap && now >= this.growsFrom) {
			const seconds = Math.max(0, now - this.lastIncrease) / 1000;
			// A shared budget below its share was lowered by collisions more often than by a share set too
			// high: back at its share within seconds, its rate equals the others' again, and equal rates
			// are what keeps their requests apart (a share set too high is lowered again soon after).
			const grown = this.shared || now - this.lastDecrease >= LONG_QUIET_MS ? this.rate * LONG_QUIET_GROWTH ** seconds : this.rate;
			this.rate = Math.min(this.cap, grown + INCREASE_SHARE_OF_CAP * this.cap * seconds);
		}
		this.lastIncrease = now;
	}
}

/** How many requests may be in flight at once: unlimited until Stripe's concurrency limiter says otherwise. */
export class ConcurrencyBudget {
	cap = Number.POSITIVE_INFINITY;

	inFlight = 0;

	private answeredSinceChange = 0;

	limited(): void {
		// The request that was refused is no longer in flight; the cap is what was running then.
		this.cap = Math.max(1, Math.floor((this.inFlight + 1) * CONCURRENCY_DECREASE_FACTOR));
		this.answeredSinceChange = 0;
	}

	answered(): void {
		if (this.cap === Number.POSITIVE_INFINITY) return;
		// One more request at once for every cap's worth of answers without a complaint.
		if (++this.answeredSinceChange >= this.cap) {
			this.cap = this.cap + 1 >= CONCURRENCY_CEILING ? Number.POSITIVE_INFINITY : this.cap + 1;
			this.answeredSinceChange = 0;
		}
	}

	hasRoom(): boolean {
		return this.inFlight < this.cap;
	}
}
