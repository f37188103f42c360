import { customerLocatorWith, stripeObjectLocator } from '../../shared/locators';

/** Customer picker; By Email is looked up when the node runs (customerLookup.ts). */
export const customerLocator = customerLocatorWith({
	description:
		'The Stripe customer the portal session is for. By Email looks the customer up by their exact email address when the node runs.',
	required: true,
});

/** Subscription picker; its list shows the chosen customer’s subscriptions. */
export const subscriptionLocator = stripeObjectLocator({
	displayName: 'Subscription',
	name: 'subscription',
	kind: 'subscription',
	idNoun: 'subscription ID',
	searchListMethod: 'searchSubscriptions',
	description:
		'Required. The subscription the flow acts on; it must belong to the customer. From List shows the chosen customer’s subscriptions that are not canceled.',
	byUrl: 'subscription',
});

/** Subscription item picker; its list shows the items of the chosen subscription. */
export const subscriptionItemLocator = stripeObjectLocator({
	displayName: 'Subscription Item',
	name: 'subscriptionItem',
	kind: 'subscriptionItem',
	idNoun: 'subscription item ID',
	searchListMethod: 'searchSubscriptionItems',
	description: 'Required. The subscription item whose price or quantity the customer confirms.',
});
