import type { IDataObject, IExecuteSingleFunctions, IHttpRequestOptions } from 'n8n-workflow';

import {
	booleanValue,
	checkCouponId,
	checkHttpUrl,
	checkStripeId,
	emailFromCustomerLocator,
	expandPaths,
	fieldError,
	idFromLocator,
	oneOf,
	optionalStripeId,
	optionalText,
	optionalUnixSeconds,
	optionalWholeNumber,
	quoteValue,
	requiredText,
	singleText,
} from '../../shared/validation';
import {
	AFTER_COMPLETION_TYPES,
	CUSTOMER_TYPES,
	DISCOUNT_TYPES,
	FLOW_TYPES,
	HOSTED_CONFIRMATION_MAX_LENGTH,
	PORTAL_LOCALES,
	SESSION_EXPANDABLE,
	SUBSCRIPTION_SOURCES,
	type AfterCompletionType,
	type FlowType,
	type SubscriptionLookupSource,
} from './constants';
import { customerIdFromEmail, customerLocatorIsEmail } from './customerLookup';
import {
	findCustomerSubscription,
	itemOfFoundSubscription,
	subscriptionSourceOf,
	type SubscriptionOwner,
} from './subscriptionLookup';
import { ensureSessionLinkMayReachModel } from './toolSafety';

function isFlowType(value: string): value is FlowType {
	return Object.prototype.hasOwnProperty.call(FLOW_TYPES, value);
}

function buildAfterCompletion(context: IExecuteSingleFunctions): IDataObject {
	const choices = AFTER_COMPLETION_TYPES.map((value) => ({ value }));
	const type = oneOf(context, 'After Completion', optionalText(context, 'afterCompletion', 'After Completion') ?? 'portal_homepage', choices) as AfterCompletionType;
	if (type === 'redirect') {
		const url = requiredText(
			context,
			'redirectUrl',
			'Redirect URL',
			'Enter where the customer goes after completing the flow, e.g. https://example.com/thanks.',
		);
		return { type, redirect: { return_url: checkHttpUrl(context, url, 'Redirect URL') } };
	}
	if (type === 'hosted_confirmation') {
		const message = optionalText(context, 'confirmationMessage', 'Confirmation Message');
		if (message !== undefined && message.length > HOSTED_CONFIRMATION_MAX_LENGTH) {
			throw fieldError(
				context,
				'Confirmation Message',
				`is ${message.length} characters long`,
				`Stripe accepts at most ${HOSTED_CONFIRMATION_MAX_LENGTH} characters; shorten the message.`,
			);
		}
		return message === undefined ? { type } : { type, hosted_confirmation: { custom_message: message } };
	}
	return { type };
}

/**
 * `subscription` is undefined while the subscription is still to be looked up; so is the item's
 * ID when Subscription Item is left empty for the lookup to fill in. The keys are there from the
 * start, so the body keeps Stripe's field order once they are filled.
 */
function buildSubscriptionUpdateConfirm(
	context: IExecuteSingleFunctions,
	subscription: string | undefined,
): IDataObject {
	const itemId = idFromLocator(context, 'subscriptionItem', 'subscriptionItem', 'Subscription Item', {
		// The looked-up subscription's only item stands in for an empty field.
		required: subscription !== undefined,
		emptyFix:
			'A confirm-update flow changes one subscription item: pick it From List (after choosing the subscription) or enter its ID (si_…).',
	});
	const item: IDataObject = { id: itemId };
	const price = optionalStripeId(context, 'itemChanges.price', 'price', 'New Price');
	if (price !== undefined) item.price = price;
	const quantity = optionalWholeNumber(context, context.getNodeParameter('itemChanges.quantity', '') as unknown, 'New Quantity', {
		minimum: 0,
		fix: 'Enter the new quantity of the subscription item, e.g. 3, or leave New Quantity empty to change only the price.',
	});
	if (quantity !== undefined) item.quantity = quantity;
	if (item.price === undefined && item.quantity === undefined) {
		throw fieldError(
			context,
			'Item Changes',
			'neither a new price nor a new quantity is set',
			'Add New Price or New Quantity under Item Changes: the flow asks the customer to confirm that change.',
		);
	}
	const flow: IDataObject = { subscription, items: [item] };

	const discountEntries = (context.getNodeParameter('discounts.discount', []) as IDataObject[]) ?? [];
	const discounts: IDataObject[] = [];
	discountEntries.forEach((entry, index) => {
		const field = `Discounts (entry ${index + 1})`;
		const id = singleText(context, `${field} → ID`, entry.id);
		if (id === undefined) {
			throw fieldError(context, field, 'the ID is empty', 'Enter a coupon ID or a promotion code ID (promo_…), or remove the entry.');
		}
		// Read like every other option from an expression: a type that is not one of the two must not fall back to a coupon.
		const type = oneOf(context, `${field} → Type`, singleText(context, `${field} → Type`, entry.type) ?? 'coupon', DISCOUNT_TYPES);
		if (type === 'promotionCode') {
			discounts.push({ promotion_code: checkStripeId(context, 'promotionCode', id, field) });
		} else {
			discounts.push({ coupon: checkCouponId(context, id, field) });
		}
	});
	if (discounts.length > 0) flow.discounts = discounts;
	return flow;
}

/** A flow whose subscription Subscription Source looks up once the customer is known. */
interface PendingSubscription {
	source: SubscriptionLookupSource;
	/** The flow's own part of `flow_data` (`flow_data[<type>]`), which takes the subscription. */
	part: IDataObject;
	/** A cancel flow: only a subscription not yet set to end can be its. */
	cancel: boolean;
}

interface FlowPlan {
	flow: IDataObject;
	pending?: PendingSubscription;
}

function buildFlowData(context: IExecuteSingleFunctions): FlowPlan | undefined {
	const type = optionalText(context, 'flowType', 'Flow') ?? 'none';
	if (type === 'none') return undefined;
	if (!isFlowType(type)) {
		throw fieldError(
			context,
			'Flow',
			`${quoteValue(type)} is not a flow type`,
			`Choose None or one of: ${Object.keys(FLOW_TYPES).join(', ')}.`,
		);
	}
	const flow: IDataObject = { type };
	let pending: PendingSubscription | undefined;
	if (FLOW_TYPES[type].needsSubscription) {
		const source = subscriptionSourceOf(context);
		const subscription =
			source === SUBSCRIPTION_SOURCES.pick
				? idFromLocator(context, 'subscription', 'subscription', 'Subscription', {
						required: true,
						emptyFix: `The ${FLOW_TYPES[type].name} flow needs the subscription it acts on: pick it From List, or enter its ID (sub_…), e.g. from an earlier node with {{ $json.subscription }}. Or let Subscription Source find the customer’s current subscription.`,
					})
				: undefined;
		if (type === 'subscription_cancel') {
			const coupon = optionalText(context, 'retentionCoupon', 'Retention Coupon');
			flow.subscription_cancel =
				coupon === undefined
					? { subscription }
					: {
							subscription,
							retention: { type: 'coupon_offer', coupon_offer: { coupon: checkCouponId(context, coupon, 'Retention Coupon') } },
						};
		} else if (type === 'subscription_update_confirm') {
			flow.subscription_update_confirm = buildSubscriptionUpdateConfirm(context, subscription);
		} else {
			flow[type] = { subscription };
		}
		if (source !== SUBSCRIPTION_SOURCES.pick) pending = { source, part: flow[type] as IDataObject, cancel: type === 'subscription_cancel' };
	}
	flow.after_completion = buildAfterCompletion(context);
	return { flow, pending };
}

/**
 * Fills in the subscription (and, for a confirm-update flow, the item) that Subscription Source
 * designates, from the customer's subscriptions as Stripe lists them now.
 */
async function fillPendingSubscription(
	context: IExecuteSingleFunctions,
	sessionRequest: IHttpRequestOptions,
	owner: SubscriptionOwner,
	{ source, part, cancel }: PendingSubscription,
): Promise<void> {
	const found = await findCustomerSubscription(context, sessionRequest, owner, source, { toCancel: cancel });
	part.subscription = found.id;
	if (Array.isArray(part.items)) {
		const item = part.items[0] as IDataObject;
		item.id = itemOfFoundSubscription(context, found, item.id as string | undefined);
	}
}

function buildAfterExpiration(context: IExecuteSingleFunctions): IDataObject | undefined {
	// null as fallback: n8n treats an undefined fallback as "no fallback" and throws.
	// Read as a yes/no: the text 'false' from an expression is false, and anything else but true or false is refused.
	const loginAfterExpiry = booleanValue(context, 'Login After Expiry', context.getNodeParameter('additionalFields.loginAfterExpiry', null));
	const expiresAt = optionalUnixSeconds(context, 'additionalFields.loginExpiresAt', 'Login Available Until');
	if (expiresAt !== undefined && loginAfterExpiry === false) {
		throw fieldError(
			context,
			'Login Available Until',
			'is set while Login After Expiry is off',
			'Turn Login After Expiry on, or remove Login Available Until.',
		);
	}
	if (loginAfterExpiry !== true && expiresAt === undefined) return undefined;
	if (expiresAt !== undefined && expiresAt * 1000 <= Date.now()) {
		throw fieldError(
			context,
			'Login Available Until',
			`${new Date(expiresAt * 1000).toISOString()} is in the past`,
			'Choose a moment in the future, e.g. {{ $now.plus(30, "days") }}.',
		);
	}
	return expiresAt === undefined
		? { type: 'customer_login' }
		: { type: 'customer_login', customer_login: { expires_at: expiresAt } };
}

/**
 * preSend of Portal Session → Create. The body is built here rather than by per-field
 * `routing.send`, because n8n sends an empty field as `field=`, which Stripe reads as an
 * attempt to unset it; only values the user gave are sent, each checked first.
 */
export async function buildSessionCreateBody(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	ensureSessionLinkMayReachModel(this);
	const body: IDataObject = {};

	const customerType = oneOf(this, 'Customer Type', optionalText(this, 'customerType', 'Customer Type') ?? 'customer', CUSTOMER_TYPES);
	let customerEmail: string | undefined;
	if (customerType === 'customerAccount') {
		const account = requiredText(
			this,
			'customerAccount',
			'Customer Account',
			'Enter the Accounts v2 ID of the customer account (acct_…).',
		);
		body.customer_account = checkStripeId(this, 'account', account, 'Customer Account');
	} else if (customerLocatorIsEmail(this)) {
		customerEmail = emailFromCustomerLocator(this);
	} else {
		body.customer = idFromLocator(this, 'customer', 'customer', 'Customer', {
			required: true,
			emptyFix:
				'Pick a customer From List, enter its ID (cus_…), paste its Stripe dashboard link, or map an ID from an earlier node with an expression.',
		});
	}

	const returnUrl = optionalText(this, 'returnUrl', 'Return URL');
	if (returnUrl !== undefined) body.return_url = checkHttpUrl(this, returnUrl, 'Return URL');

	const flowPlan = buildFlowData(this);
	if (flowPlan) body.flow_data = flowPlan.flow;

	const configuration = idFromLocator(this, 'additionalFields.configuration', 'configuration', 'Configuration', {
		required: false,
	});
	if (configuration !== undefined) body.configuration = configuration;

	const locale = optionalText(this, 'additionalFields.locale', 'Locale');
	if (locale !== undefined) {
		if (!PORTAL_LOCALES.some((option) => option.value === locale)) {
			throw fieldError(
				this,
				'Locale',
				`${quoteValue(locale)} is not a portal locale`,
				`Use auto or one of Stripe's portal locales, e.g. en, en-GB, de, fr-CA, pt-BR, zh-TW.`,
			);
		}
		body.locale = locale;
	}

	const onBehalfOf = optionalStripeId(this, 'additionalFields.onBehalfOf', 'account', 'On Behalf Of');
	if (onBehalfOf !== undefined) body.on_behalf_of = onBehalfOf;

	const afterExpiration = buildAfterExpiration(this);
	if (afterExpiration) body.after_expiration = afterExpiration;

	const expand = expandPaths(this, this.getNodeParameter('additionalFields.expand', []), 'Additional Fields → Expand', SESSION_EXPANDABLE.map((option) => option.value));
	if (expand) body.expand = expand;

	// Looked up last, so that an item with any other bad field fails before a request is made;
	// the customer first, as the subscription lookup needs it.
	const sessionBody: IDataObject =
		customerEmail === undefined ? body : { customer: await customerIdFromEmail(this, requestOptions, customerEmail), ...body };
	if (flowPlan?.pending) {
		const owner: SubscriptionOwner =
			sessionBody.customer_account === undefined
				? { kind: 'customer', id: sessionBody.customer as string, email: customerEmail }
				: { kind: 'customerAccount', id: sessionBody.customer_account as string };
		// Fills in flow_data in place: the body holds the same object.
		await fillPendingSubscription(this, requestOptions, owner, flowPlan.pending);
	}
	requestOptions.body = sessionBody;
	return requestOptions;
}
