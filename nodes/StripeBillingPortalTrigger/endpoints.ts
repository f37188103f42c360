/**
 * The webhook endpoint's life at Stripe: at most one per workflow URL, found and replaced rather
 * than duplicated. n8n runs `create` again on every retry of an activation (up to 5), on the test
 * URL with empty static data, after a published trigger's settings changed, and never tells us
 * of an endpoint deleted in the dashboard or a test endpoint left behind by a restart; so
 * `create` lists the account's endpoints and reconciles, and each endpoint carries metadata
 * saying whose it is. Endpoints without that metadata (the user's own, n8n's Stripe Trigger's)
 * are never touched, even at the same URL.
 */
import type { IDataObject, IHookFunctions, IN8nHttpFullResponse } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { STRIPE_API_VERSION, STRIPE_MAX_PAGE_SIZE } from '../StripeBillingPortal/shared/constants';
import { sendHookRequest, type HookRequest } from '../StripeBillingPortal/transport/hooks';
import { MAX_WEBHOOK_ENDPOINTS, OWNER_METADATA_KEYS, STATIC_DATA_KEYS, WEBHOOK_ENDPOINTS_PATH } from './constants';
import { endpointErrorVocabulary, endpointLimitMessage } from './messages';

export interface WebhookEndpoint {
	id: string;
	url: string;
	enabled_events: string[];
	api_version: string | null;
	status: string;
	livemode?: boolean;
	metadata: Record<string, string>;
	secret?: string;
}

/** Whose an endpoint is: this n8n instance, workflow and trigger node, for its test or production URL. */
export interface Owner {
	instance: string;
	workflow: string;
	node: string;
	mode: 'test' | 'production';
}

/** The requests the lifecycle needs; the node hands in ones that go through the transport, tests may stub them. */
export interface EndpointApi {
	list(): Promise<WebhookEndpoint[]>;
	retrieve(id: string): Promise<WebhookEndpoint | undefined>;
	create(form: Array<[string, string]>): Promise<WebhookEndpoint>;
	remove(id: string): Promise<void>;
}

export interface StoredEndpoint {
	id?: string;
	secret?: string;
	url?: string;
	events?: string;
}

const ENDPOINT_ID = /^we_[A-Za-z0-9]+$/;

export function readStoredEndpoint(staticData: IDataObject): StoredEndpoint {
	const text = (key: string) => (typeof staticData[key] === 'string' ? (staticData[key] as string) : undefined);
	return { id: text(STATIC_DATA_KEYS.endpointId), secret: text(STATIC_DATA_KEYS.secret), url: text(STATIC_DATA_KEYS.url), events: text(STATIC_DATA_KEYS.events) };
}

/** What activation keeps of the endpoint it registered, in the workflow's static data (the bench sets up a delivery's state with it). */
export function writeStoredEndpoint(staticData: IDataObject, endpoint: WebhookEndpoint, secret: string): void {
	staticData[STATIC_DATA_KEYS.endpointId] = endpoint.id;
	staticData[STATIC_DATA_KEYS.secret] = secret;
	staticData[STATIC_DATA_KEYS.url] = endpoint.url;
	staticData[STATIC_DATA_KEYS.events] = [...endpoint.enabled_events].sort().join(',');
	// Stripe sends an endpoint only its own mode's events: what webhook() checks each event against.
	if (typeof endpoint.livemode === 'boolean') staticData[STATIC_DATA_KEYS.livemode] = endpoint.livemode;
}

export function clearStoredEndpoint(staticData: IDataObject): void {
	for (const key of Object.values(STATIC_DATA_KEYS)) delete staticData[key];
}

/**
 * Whether this trigger owns an endpoint. The workflow, node and mode must match; the instance too,
 * except at this very URL (an instance restored under a new ID still owns its own URL's endpoint).
 * An endpoint of the same workflow on another instance (a staging copy, say) is not ours.
 */
export function isOwnedBy(endpoint: WebhookEndpoint, owner: Owner, url: string): boolean {
	const metadata = endpoint.metadata ?? {};
	if (metadata[OWNER_METADATA_KEYS.marker] !== 'true') return false;
	if (metadata[OWNER_METADATA_KEYS.workflow] !== owner.workflow) return false;
	if (metadata[OWNER_METADATA_KEYS.node] !== owner.node) return false;
	if (metadata[OWNER_METADATA_KEYS.mode] !== owner.mode) return false;
	return metadata[OWNER_METADATA_KEYS.instance] === owner.instance || endpoint.url === url;
}

function sameEvents(endpoint: WebhookEndpoint, events: string[]): boolean {
	const have = [...(endpoint.enabled_events ?? [])].sort();
	return have.length === events.length && have.every((type, index) => type === events[index]);
}

/** Whether an endpoint is exactly what this trigger needs now, and its secret is known. */
function isCurrent(endpoint: WebhookEndpoint, stored: StoredEndpoint, url: string, events: string[]): boolean {
	return (
		endpoint.id === stored.id &&
		typeof stored.secret === 'string' &&
		stored.secret !== '' &&
		endpoint.url === url &&
		endpoint.status === 'enabled' &&
		endpoint.api_version === STRIPE_API_VERSION &&
		sameEvents(endpoint, events)
	);
}

export interface LifecycleInput {
	api: EndpointApi;
	staticData: IDataObject;
	owner: Owner;
	url: string;
	/** Sorted, without repeats. */
	events: string[];
}

/** n8n's checkExists: true only when the stored endpoint still exists at Stripe exactly as needed. */
export async function endpointExists({ api, staticData, owner, url, events }: LifecycleInput): Promise<boolean> {
	const stored = readStoredEndpoint(staticData);
	if (stored.id === undefined || !ENDPOINT_ID.test(stored.id)) return false;
	const endpoint = await api.retrieve(stored.id);
	if (!endpoint) return false;
	return isOwnedBy(endpoint, owner, url) && isCurrent(endpoint, stored, url, events);
}

export interface CreateOutcome {
	endpoint: WebhookEndpoint;
	/** Endpoints of this trigger found at Stripe and deleted (left behind, outdated, or unknown secret). */
	replaced: string[];
	reused: boolean;
}

/**
 * n8n's create: keeps the stored endpoint when it is current (a retried activation), else deletes
 * every endpoint this trigger owns for this mode and creates one. Idempotent: run twice, it ends
 * with the same single endpoint.
 */
export async function ensureEndpoint(input: LifecycleInput, onLimit: (message: string) => Error): Promise<CreateOutcome> {
	const { api, staticData, owner, url, events } = input;
	const stored = readStoredEndpoint(staticData);
	const all = await api.list();
	const owned = all.filter((endpoint) => isOwnedBy(endpoint, owner, url));
	const keep = owned.find((endpoint) => isCurrent(endpoint, stored, url, events));
	const replaced: string[] = [];
	for (const endpoint of owned) {
		if (endpoint === keep) continue;
		await api.remove(endpoint.id);
		replaced.push(endpoint.id);
	}
	if (keep) return { endpoint: keep, replaced, reused: true };
	clearStoredEndpoint(staticData);

	const others = all.length - owned.length;
	if (others >= MAX_WEBHOOK_ENDPOINTS) throw onLimit(endpointLimitMessage(others));
	const form: Array<[string, string]> = [
		['url', url],
		...events.map((type): [string, string] => ['enabled_events[]', type]),
		['api_version', STRIPE_API_VERSION],
		['description', `n8n Stripe Billing Portal Trigger (${owner.mode}, workflow ${owner.workflow})`],
		[`metadata[${OWNER_METADATA_KEYS.marker}]`, 'true'],
		[`metadata[${OWNER_METADATA_KEYS.instance}]`, owner.instance],
		[`metadata[${OWNER_METADATA_KEYS.workflow}]`, owner.workflow],
		[`metadata[${OWNER_METADATA_KEYS.node}]`, owner.node],
		[`metadata[${OWNER_METADATA_KEYS.mode}]`, owner.mode],
	];
	const endpoint = await api.create(form);
	if (typeof endpoint.secret !== 'string' || endpoint.secret === '') {
		// Without its secret the endpoint could never verify a delivery: do not leave it behind.
		await api.remove(endpoint.id);
		throw new Error('Stripe created the webhook endpoint but returned no signing secret');
	}
	writeStoredEndpoint(staticData, endpoint, endpoint.secret);
	return { endpoint, replaced, reused: false };
}

/** n8n's delete: removes every endpoint this trigger owns for this mode, the stored one included. */
export async function removeEndpoints({ api, staticData, owner, url }: Omit<LifecycleInput, 'events'>): Promise<string[]> {
	const removed: string[] = [];
	// By ownership, not by the stored ID alone: static data can hold another mode's endpoint.
	for (const endpoint of await api.list()) {
		if (!isOwnedBy(endpoint, owner, url)) continue;
		await api.remove(endpoint.id);
		removed.push(endpoint.id);
	}
	clearStoredEndpoint(staticData);
	return removed;
}

function asEndpoint(body: unknown): WebhookEndpoint {
	return body as WebhookEndpoint;
}

/** The EndpointApi of a hook's context: every request through the package's transport. */
export function endpointApiFor(context: IHookFunctions): EndpointApi {
	const send = async (request: HookRequest): Promise<IN8nHttpFullResponse> =>
		await sendHookRequest(context, { vocabulary: endpointErrorVocabulary, ...request });
	const checkedPath = (id: string): string => {
		if (!ENDPOINT_ID.test(id)) throw new NodeOperationError(context.getNode(), `'${id.slice(0, 40)}' is not a webhook endpoint ID (we_…)`);
		return `${WEBHOOK_ENDPOINTS_PATH}/${id}`;
	};
	const byId = `${WEBHOOK_ENDPOINTS_PATH}/{id}`;
	return {
		async list() {
			const endpoints: WebhookEndpoint[] = [];
			let startingAfter: string | undefined;
			// Stripe's cursor pages; 16 endpoints fit one page, the loop is for an account past the limit.
			for (let page = 0; page < 10; page++) {
				const qs: IDataObject = { limit: STRIPE_MAX_PAGE_SIZE, ...(startingAfter ? { starting_after: startingAfter } : {}) };
				const body = (await send({ method: 'GET', path: WEBHOOK_ENDPOINTS_PATH, qs })).body as { data?: unknown[]; has_more?: boolean };
				const data = Array.isArray(body.data) ? body.data.map(asEndpoint) : [];
				endpoints.push(...data);
				if (body.has_more !== true || data.length === 0) break;
				startingAfter = data[data.length - 1].id;
			}
			return endpoints;
		},
		async retrieve(id) {
			const response = await send({ method: 'GET', path: checkedPath(id), endpoint: byId, accept: [404] });
			return response.statusCode === 404 ? undefined : asEndpoint(response.body);
		},
		async create(form) {
			return asEndpoint((await send({ method: 'POST', path: WEBHOOK_ENDPOINTS_PATH, form })).body);
		},
		async remove(id) {
			// Already gone (deleted in the dashboard) is what we wanted.
			await send({ method: 'DELETE', path: checkedPath(id), endpoint: byId, accept: [404] });
		},
	};
}
