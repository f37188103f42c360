/** /v1/subscriptions: list (by customer and status) and retrieve, as the node's pickers use them. */
import { errors } from '../errors';
import { listParams, listPage, type ListParams } from '../list';
import { expandSchema, s } from '../params';
import type { RequestContext, RouteDef } from '../router';
import type { Subscription } from '../store';

const SUBSCRIPTION = { resource: 'subscription', access: 'read' } as const;

const STATUSES = [
	'active',
	'all',
	'canceled',
	'ended',
	'incomplete',
	'incomplete_expired',
	'past_due',
	'paused',
	'trialing',
	'unpaid',
];

interface SubscriptionListParams extends ListParams {
	customer?: string;
	price?: string;
	status?: string;
}

function render(subscription: Subscription, ctx: RequestContext): Subscription {
	return { ...subscription, livemode: ctx.livemode };
}

/** Stripe lists every status but `canceled` unless asked; `ended` means canceled or incomplete_expired. */
function matchesStatus(subscription: Subscription, status: string | undefined): boolean {
	if (status === undefined) return subscription.status !== 'canceled';
	if (status === 'all') return true;
	if (status === 'ended') return subscription.status === 'canceled' || subscription.status === 'incomplete_expired';
	return subscription.status === status;
}

export const subscriptionRoutes: RouteDef[] = [
	{
		method: 'GET',
		path: '/v1/subscriptions',
		permission: SUBSCRIPTION,
		params: s.object({
			...listParams,
			customer: s.string(),
			price: s.string(),
			status: s.enum(STATUSES),
		}),
		handle(ctx) {
			const p = ctx.params as SubscriptionListParams;
			const all = ctx.store
				.listSubscriptions()
				.filter(
					(subscription) =>
						(p.customer === undefined || subscription.customer === p.customer) &&
						(p.price === undefined || subscription.items.data.some((item) => item.price.id === p.price)) &&
						matchesStatus(subscription, p.status),
				);
			return listPage(all, p, 'subscription', '/v1/subscriptions', (subscription) => render(subscription, ctx));
		},
	},
	{
		method: 'GET',
		path: '/v1/subscriptions/:id',
		permission: SUBSCRIPTION,
		params: s.object({ expand: expandSchema }),
		handle(ctx) {
			const subscription = ctx.store.getSubscription(ctx.pathParams.id);
			if (!subscription) throw errors.resourceMissing('subscription', ctx.pathParams.id, 'id');
			return render(subscription, ctx);
		},
	},
];
