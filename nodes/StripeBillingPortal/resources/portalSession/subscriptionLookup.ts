import type { IDataObject, IExecuteSingleFunctions, IHttpRequestOptions } from 'n8n-workflow';

import { STRIPE_MAX_PAGE_SIZE } from '../../shared/constants';
import { STRIPE_ID_PATTERNS } from '../../shared/ids';
import { fieldError, optionalText, quoteValue } from '../../shared/validation';
import { sendLookupRequest, stripeList } from '../../transport';
import { followPages } from '../../transport/paging';
import {
	CURRENT_STATUSES_TEXT,
	CURRENT_SUBSCRIPTION_STATUSES,
	SUBSCRIPTION_SOURCE_OPTIONS,
	SUBSCRIPTION_SOURCES,
	type SubscriptionLookupSource,
	type SubscriptionSource,
} from './constants';
import { mostRecentlyCreated } from './customerLookup';
import { sessionErrorVocabulary } from './fieldNames';

function optionName(value: SubscriptionSource): string {
	return SUBSCRIPTION_SOURCE_OPTIONS.find((option) => option.value === value)?.name ?? value;
}

/**
 * The lookup reads at most this many pages of a customer's subscriptions (canceled ones
 * included), so that a customer with years of monthly re-subscriptions, or a server that keeps
 * answering `has_more`, cannot hold the item for long.
 */
const MAX_PAGES = 10;
export const MAX_SUBSCRIPTIONS_READ = MAX_PAGES * STRIPE_MAX_PAGE_SIZE;

export interface SubscriptionSummary {
	id: string;
	status: string;
	created: number;
	items?: { data?: Array<{ id: string }>; has_more?: boolean };
	cancel_at_period_end?: boolean;
	cancel_at?: number | null;
}

export interface SubscriptionListPage {
	data: SubscriptionSummary[];
	has_more: boolean;
}

export function isCurrentSubscription(subscription: SubscriptionSummary): boolean {
	return (CURRENT_SUBSCRIPTION_STATUSES as readonly string[]).includes(subscription.status);
}

/**
 * Set to end already (at the end of its period, or at a date): Stripe refuses a cancel flow for
 * it ("… is already set to be canceled at period end"), for `cancel_at` too.
 */
export function isEnding(subscription: SubscriptionSummary): boolean {
	return subscription.cancel_at_period_end === true || typeof subscription.cancel_at === 'number';
}

/** How a current subscription already set to end is counted when it cannot be the flow's: "1 active set to end". */
const ENDING = ' set to end';
const endingStatus = (status: string): string => `${status}${ENDING}`;

export interface SubscriptionLookupResult {
	/** The current subscriptions seen, in Stripe's (newest-first) order. */
	current: SubscriptionSummary[];
	/** How many of the other subscriptions seen have each status. */
	otherStatuses: Record<string, number>;
	/** Whether every page was read; false when the lookup stopped as soon as the answer was known. */
	complete: boolean;
	/** Why paging stopped early: a page that did not advance. */
	stalled?: string;
}

/**
 * Reads the customer's subscriptions page by page. Stripe lists them newest first, so the
 * newest current subscription is on the first page that has any, and "only one" is disproved
 * by a second: the lookup stops there instead of reading every canceled subscription.
 */
export async function lookUpCurrentSubscriptions(
	source: SubscriptionLookupSource,
	listPage: (startingAfter: string | undefined) => Promise<SubscriptionListPage>,
	{ skipEnding = false }: { skipEnding?: boolean } = {},
): Promise<SubscriptionLookupResult> {
	const result: SubscriptionLookupResult = { current: [], otherStatuses: {}, complete: false };
	const end = await followPages(
		await listPage(undefined),
		async (cursor) => await listPage(cursor),
		(page) => {
			for (const subscription of page.data) {
				const current = isCurrentSubscription(subscription);
				if (current && !(skipEnding && isEnding(subscription))) result.current.push(subscription);
				else {
					const status = current ? endingStatus(subscription.status) : subscription.status;
					result.otherStatuses[status] = (result.otherStatuses[status] ?? 0) + 1;
				}
			}
			const known = source === SUBSCRIPTION_SOURCES.mostRecentCurrent ? result.current.length > 0 : result.current.length > 1;
			return !known;
		},
		{ maxPages: MAX_PAGES },
	);
	if (end.ended === 'stalled') return { ...result, stalled: end.problem };
	return { ...result, complete: end.ended === 'lastPage' };
}

export type SubscriptionChoice =
	| { kind: 'found'; subscription: SubscriptionSummary }
	| { kind: 'none' }
	| { kind: 'several'; count: number; orMore: boolean }
	/** The lookup read as many pages as it may without an answer. */
	| { kind: 'tooMany' };

export function chooseSubscription(result: SubscriptionLookupResult, source: SubscriptionLookupSource): SubscriptionChoice {
	const { current, complete } = result;
	if (current.length === 0) return complete ? { kind: 'none' } : { kind: 'tooMany' };
	// Stripe lists newest first and the lookup stops after the first page with a current one.
	if (source === SUBSCRIPTION_SOURCES.mostRecentCurrent) {
		return { kind: 'found', subscription: mostRecentlyCreated(current) as SubscriptionSummary };
	}
	if (current.length > 1) return { kind: 'several', count: current.length, orMore: !complete };
	return complete ? { kind: 'found', subscription: current[0] } : { kind: 'tooMany' };
}

/** "1 canceled, 2 incomplete_expired": the statuses of the subscriptions that did not count. */
export function describeOtherStatuses(otherStatuses: Record<string, number>): string {
	return Object.entries(otherStatuses)
		.sort(([a], [b]) => a.localeCompare(b))
		.map(([status, count]) => `${count} ${status}`)
		.join(', ');
}

/**
 * The Subscription Source of the current item. It may come from an expression, so it is
 * checked like any other value before anything is sent.
 */
export function subscriptionSourceOf(context: IExecuteSingleFunctions): SubscriptionSource {
	const value = optionalText(context, 'subscriptionSource', 'Subscription Source') ?? SUBSCRIPTION_SOURCES.pick;
	const values = Object.values(SUBSCRIPTION_SOURCES) as string[];
	if (values.includes(value)) return value as SubscriptionSource;
	throw fieldError(
		context,
		'Subscription Source',
		`${quoteValue(value)} is not an option`,
		`Choose one of: ${values.join(', ')}.`,
	);
}

/** Whose subscriptions are looked up: a customer (perhaps found by email) or an Accounts v2 account. */
export type SubscriptionOwner =
	| {
			kind: 'customer';
			id: string;
			/** The address the customer was found by (Customer By Email), named in errors. */
			email?: string;
	  }
	| { kind: 'customerAccount'; id: string };

function describeOwner(owner: SubscriptionOwner): string {
	if (owner.kind === 'customerAccount') return `customer account ${owner.id}`;
	return owner.email === undefined ? `customer ${owner.id}` : `customer ${owner.id} (${quoteValue(owner.email)})`;
}

function isSubscriptionSummary(entry: unknown): entry is SubscriptionSummary {
	if (typeof entry !== 'object' || entry === null) return false;
	const { id, status, created } = entry as Partial<SubscriptionSummary>;
	return typeof id === 'string' && STRIPE_ID_PATTERNS.subscription.test(id) && typeof status === 'string' && typeof created === 'number';
}

const subscriptionList = stripeList(isSubscriptionSummary);

/**
 * `GET /v1/subscriptions?customer=…&status=all` (or `customer_account=…` for an Accounts v2
 * customer), sent as the session request is. `status=all` because Stripe's default leaves out
 * canceled subscriptions, and an error that says "1 canceled" tells the user why nothing matched.
 */
async function listSubscriptions(
	context: IExecuteSingleFunctions,
	sessionRequest: IHttpRequestOptions,
	owner: SubscriptionOwner,
	startingAfter: string | undefined,
): Promise<SubscriptionListPage> {
	const qs: IDataObject = {
		[owner.kind === 'customerAccount' ? 'customer_account' : 'customer']: owner.id,
		status: 'all',
		limit: STRIPE_MAX_PAGE_SIZE,
		...(startingAfter === undefined ? {} : { starting_after: startingAfter }),
	};
	const page = await sendLookupRequest(context, sessionRequest, '/v1/subscriptions', qs, subscriptionList, {
		lookingUp: `This happened while looking up the subscriptions of ${describeOwner(owner)} for Subscription Source, before any portal session was created.`,
		permission: "Subscription Source reads subscriptions: a restricted key needs 'Subscriptions: Read' besides 'Customer portal: Write'.",
		unexpected: 'Expected a list of subscriptions from Stripe but got something else. Check the Base URL in the credential.',
		vocabulary: sessionErrorVocabulary,
	});
	return { data: page.data, has_more: page.has_more === true };
}

/**
 * The customer's subscription that Subscription Source designates, or a field error that says
 * why there is not exactly one and what to change.
 */
export async function findCustomerSubscription(
	context: IExecuteSingleFunctions,
	sessionRequest: IHttpRequestOptions,
	owner: SubscriptionOwner,
	source: SubscriptionLookupSource,
	{ toCancel = false }: { toCancel?: boolean } = {},
): Promise<SubscriptionSummary> {
	// A cancel flow cannot take a subscription that already ends: Stripe would refuse the session.
	const result = await lookUpCurrentSubscriptions(
		source,
		async (startingAfter) => await listSubscriptions(context, sessionRequest, owner, startingAfter),
		{ skipEnding: toCancel },
	);
	const pickBelow = optionName(SUBSCRIPTION_SOURCES.pick);
	if (result.stalled !== undefined) {
		throw fieldError(
			context,
			'Subscription Source',
			`${result.stalled} while listing the subscriptions of ${describeOwner(owner)}`,
			`Stripe's own lists always advance: check the Base URL in the credential, or set Subscription Source to '${pickBelow}' and choose the subscription.`,
		);
	}
	const chosen = chooseSubscription(result, source);
	if (chosen.kind === 'found') return chosen.subscription;
	if (chosen.kind === 'tooMany') {
		throw fieldError(
			context,
			'Subscription Source',
			`${describeOwner(owner)} has more than ${MAX_SUBSCRIPTIONS_READ} subscriptions`,
			`The lookup reads at most ${MAX_SUBSCRIPTIONS_READ} of a customer’s subscriptions, canceled ones included. Set Subscription Source to '${pickBelow}' and choose the subscription.`,
		);
	}
	if (chosen.kind === 'none') {
		const others = describeOtherStatuses(result.otherStatuses);
		const endingSeen = Object.keys(result.otherStatuses).some((status) => status.endsWith(ENDING));
		const problem =
			others === ''
				? `${describeOwner(owner)} has no subscriptions`
				: `${describeOwner(owner)} has no current subscription${endingSeen ? ' that can be canceled' : ''} (${others})`;
		const ending = endingSeen
			? ' A subscription already set to end (cancel at period end, or at a date) has nothing left to cancel: for it, create the session without a Flow, and the portal shows when it ends and offers to renew it.'
			: '';
		throw fieldError(
			context,
			'Subscription Source',
			problem,
			`Current means ${CURRENT_STATUSES_TEXT}; canceled, incomplete and expired subscriptions do not count.${ending} Check the customer in the Stripe dashboard (and that the credential is for the right account and mode), choose a flow without a subscription, or set Subscription Source to '${pickBelow}'.`,
		);
	}
	const count = chosen.orMore ? `${chosen.count} or more` : String(chosen.count);
	const ids = result.current.slice(0, 3).map((subscription) => subscription.id);
	const listed = `${ids.join(', ')}${result.current.length > ids.length ? ', …' : ''}`;
	throw fieldError(
		context,
		'Subscription Source',
		`${describeOwner(owner)} has ${count} current subscriptions (${listed})`,
		`To use the one created last, set Subscription Source to '${optionName(SUBSCRIPTION_SOURCES.mostRecentCurrent)}'; to use a particular one, set it to '${pickBelow}' and choose the subscription.`,
	);
}

/**
 * The subscription item of a confirm-update flow whose subscription was looked up: the item
 * given, checked to belong to that subscription where Stripe listed all its items, or, when
 * none was given, the subscription's one item. A subscription known to have several items is
 * refused whatever was given: Stripe's portal does not update those ("subscriptions with
 * multiple items are not updatable"), and would refuse the session.
 */
export function itemOfFoundSubscription(
	context: IExecuteSingleFunctions,
	subscription: SubscriptionSummary,
	givenItem: string | undefined,
): string {
	const items = subscription.items?.data ?? [];
	const allListed = subscription.items !== undefined && subscription.items.has_more !== true;
	if (subscription.items?.has_more === true || (allListed && items.length > 1)) {
		throw fieldError(
			context,
			'Subscription Source',
			`found ${subscription.id}, which has ${allListed ? items.length : 'more than one'} items, and Stripe’s customer portal does not update a subscription with several items`,
			'Confirm Subscription Update works only for a subscription with a single item: choose another flow for this customer (e.g. Cancel Subscription), or change the subscription with Stripe’s Subscriptions API.',
		);
	}
	if (givenItem !== undefined) {
		if (allListed && !items.some((item) => item.id === givenItem)) {
			throw fieldError(
				context,
				'Subscription Item',
				`${givenItem} is not an item of ${subscription.id}, the subscription Subscription Source found`,
				`Enter an item of ${subscription.id} (${items.map((item) => item.id).join(', ') || 'it has none'}), or leave Subscription Item empty to use the subscription’s only item.`,
			);
		}
		return givenItem;
	}
	if (allListed && items.length === 1) return items[0].id;
	const count = allListed ? String(items.length) : 'more than one';
	throw fieldError(
		context,
		'Subscription Item',
		`is empty, and ${subscription.id}, the subscription Subscription Source found, has ${count} items`,
		`Enter the ID of the item to change (si_…), e.g. with an expression, or set Subscription Source to '${optionName(SUBSCRIPTION_SOURCES.pick)}' to choose the subscription and its item from lists.`,
	);
}
