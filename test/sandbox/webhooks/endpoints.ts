/**
 * /v1/webhook_endpoints: create (the only answer with `secret`), list, retrieve, update, delete.
 * Parameters as `Stripe.WebhookEndpointCreateParams` / `UpdateParams` / `ListParams` type them.
 */
import type Stripe from 'stripe';

import { errors, stripeError } from '../errors';
import { listParams, listPage, type ListParams } from '../list';
import { expandSchema, isValidUrl, req, s } from '../params';
import type { RequestContext, RouteDef } from '../router';
import { ENABLED_EVENT_TYPES, WEBHOOK_API_VERSIONS } from './eventTypes';
import { isLocalHost, type WebhookHub } from './hub';

const WEBHOOK_ENDPOINT_WRITE = { resource: 'webhook_endpoint', access: 'write' } as const;
const WEBHOOK_ENDPOINT_READ = { resource: 'webhook_endpoint', access: 'read' } as const;

/** Stripe's metadata limits (docs.stripe.com/metadata): 50 keys, keys ≤ 40 and values ≤ 500 characters. */
const metadataSchema = s.hash(s.string({ maxLength: 500, emptyable: true }), { maxKeyLength: 40, emptyable: true });

const MAX_METADATA_KEYS = 50;

type CreateParams = Omit<Stripe.WebhookEndpointCreateParams, 'metadata' | 'description'> & {
	metadata?: Record<string, string> | '';
	description?: string;
};
type UpdateParams = Omit<Stripe.WebhookEndpointUpdateParams, 'metadata' | 'description'> & {
	metadata?: Record<string, string> | '';
	description?: string;
};

/**
 * Refusals whose wording is Stripe's as recalled from its answers, not from a published page:
 * unverified, and kept here so a test or the node can match on the meaning, not the letters.
 */
export const webhookErrors = {
	/** Stripe refuses endpoints it cannot reach (loopback, private networks). */
	notPublic: () =>
		stripeError(400, {
			type: 'invalid_request_error',
			code: 'url_invalid',
			param: 'url',
			message:
				'Invalid URL: URL must be publicly accessible. Consider using a tool like the Stripe CLI to test webhooks locally: https://github.com/stripe/stripe-cli',
		}),
	/** Live-mode endpoints must use HTTPS (docs.stripe.com/webhooks, "Best practices"). */
	httpsInLiveMode: () =>
		stripeError(400, {
			type: 'invalid_request_error',
			code: 'url_invalid',
			param: 'url',
			message: 'Invalid URL: URL must use HTTPS in live mode.',
		}),
	tooMany: (max: number, livemode: boolean) =>
		stripeError(400, {
			type: 'invalid_request_error',
			message: `You have reached the maximum of ${max} ${livemode ? 'live' : 'test'} webhook endpoints.`,
		}),
	tooManyMetadataKeys: () =>
		stripeError(400, {
			type: 'invalid_request_error',
			param: 'metadata',
			message: `Invalid metadata: metadata can have a maximum of ${MAX_METADATA_KEYS} keys.`,
		}),
};

function checkUrl(hub: WebhookHub, url: string, livemode: boolean): void {
	if (!isValidUrl(url)) throw errors.invalidUrl('url');
	const parsed = new URL(url);
	if (livemode && parsed.protocol !== 'https:') throw webhookErrors.httpsInLiveMode();
	if (!hub.options.allowLocalUrls && isLocalHost(parsed.hostname)) throw webhookErrors.notPublic();
}

/** Applies Stripe's metadata semantics: '' clears all, a key set to '' is removed. */
function mergeMetadata(current: Record<string, string>, patch: Record<string, string> | '' | undefined): Record<string, string> {
	if (patch === undefined) return current;
	if (patch === '') return {};
	const out = { ...current };
	for (const [k, v] of Object.entries(patch)) {
		if (v === '') delete out[k];
		else out[k] = v;
	}
	if (Object.keys(out).length > MAX_METADATA_KEYS) throw webhookErrors.tooManyMetadataKeys();
	return out;
}

function mustFind(hub: WebhookHub, ctx: RequestContext): Stripe.WebhookEndpoint {
	const endpoint = hub.getEndpoint(ctx.pathParams.id, ctx.livemode);
	if (!endpoint) throw errors.resourceMissing('webhook endpoint', ctx.pathParams.id, 'id');
	return endpoint;
}

export function webhookEndpointRoutes(hub: WebhookHub): RouteDef[] {
	const enabledEvents = s.array(s.enum(ENABLED_EVENT_TYPES));
	return [
		{
			method: 'POST',
			path: '/v1/webhook_endpoints',
			permission: WEBHOOK_ENDPOINT_WRITE,
			params: s.object({
				api_version: s.enum(WEBHOOK_API_VERSIONS),
				connect: s.boolean(),
				description: s.string({ emptyable: true }),
				enabled_events: req(enabledEvents),
				expand: expandSchema,
				metadata: metadataSchema,
				url: req(s.string()),
			}),
			handle(ctx) {
				const p = ctx.params as unknown as CreateParams;
				checkUrl(hub, p.url, ctx.livemode);
				if (hub.listEndpoints(ctx.livemode).length >= hub.maxEndpoints) throw webhookErrors.tooMany(hub.maxEndpoints, ctx.livemode);
				return hub.createEndpoint({
					url: p.url,
					enabled_events: p.enabled_events,
					api_version: p.api_version,
					connect: p.connect,
					description: p.description === '' ? null : p.description,
					metadata: mergeMetadata({}, p.metadata),
					livemode: ctx.livemode,
				});
			},
		},
		{
			method: 'GET',
			path: '/v1/webhook_endpoints',
			permission: WEBHOOK_ENDPOINT_READ,
			params: s.object({ ...listParams }),
			handle(ctx) {
				return listPage(hub.listEndpoints(ctx.livemode), ctx.params as ListParams, 'webhook endpoint', '/v1/webhook_endpoints', (e) => e);
			},
		},
		{
			method: 'GET',
			path: '/v1/webhook_endpoints/:id',
			permission: WEBHOOK_ENDPOINT_READ,
			params: s.object({ expand: expandSchema }),
			handle: (ctx) => mustFind(hub, ctx),
		},
		{
			method: 'POST',
			path: '/v1/webhook_endpoints/:id',
			permission: WEBHOOK_ENDPOINT_WRITE,
			params: s.object({
				description: s.string({ emptyable: true }),
				disabled: s.boolean(),
				enabled_events: enabledEvents,
				expand: expandSchema,
				metadata: metadataSchema,
				url: s.string(),
			}),
			handle(ctx) {
				const found = mustFind(hub, ctx);
				const p = ctx.params as unknown as UpdateParams;
				if (p.url !== undefined) checkUrl(hub, p.url, ctx.livemode);
				const metadata = mergeMetadata(found.metadata, p.metadata);
				return hub.updateEndpoint(found.id, (e) => {
					if (p.url !== undefined) e.url = p.url;
					if (p.enabled_events !== undefined) e.enabled_events = [...p.enabled_events];
					if (p.description !== undefined) e.description = p.description === '' ? null : p.description;
					if (p.disabled !== undefined) e.status = p.disabled ? 'disabled' : 'enabled';
					e.metadata = metadata;
				});
			},
		},
		{
			method: 'DELETE',
			path: '/v1/webhook_endpoints/:id',
			permission: WEBHOOK_ENDPOINT_WRITE,
			params: s.object({}),
			handle(ctx) {
				const found = mustFind(hub, ctx);
				hub.deleteEndpoint(found.id);
				const deleted: Stripe.DeletedWebhookEndpoint = { id: found.id, object: 'webhook_endpoint', deleted: true };
				return deleted;
			},
		},
	];
}
