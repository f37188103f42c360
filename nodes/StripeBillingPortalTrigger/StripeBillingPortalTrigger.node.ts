import type {
	IDataObject,
	IHookFunctions,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { isLiveKey } from '../StripeBillingPortal/shared/baseUrl';
import { isExpression, isPlainObject } from '../StripeBillingPortal/shared/values';
import { CREDENTIAL_TYPE, STRIPE_API_VERSION } from '../StripeBillingPortal/shared/constants';
import { STRIPE_ERROR_DETAILS, type StripeApiError } from '../StripeBillingPortal/transport/errors';
import { DEFAULT_TOLERANCE_SECONDS, MAX_TOLERANCE_SECONDS, OUTCOME_NAMES, OUTCOMES, STATIC_DATA_KEYS, type Outcome } from './constants';
import { decodeEvent, eventsFor, redactEvent } from './decode';
import { deliveryMemory } from './deliveries';
import { endpointApiFor, endpointExists, ensureEndpoint, removeEndpoints, type Owner } from './endpoints';
import { endpointFix, REFUSALS } from './messages';
import { readEndpointMode, readSettings, type EndpointMode, type SettingsReading, type TriggerSettings } from './settings';
import { verifyStripeSignature } from './verify';

/**
 * A parameter as the workflow stores it, resolved by n8n only where it holds an expression (a
 * collection: anywhere in its first level). Resolving and validating a literal through
 * getNodeParameter costs more than verifying the signature, on every delivery; the values are
 * checked by their kind anyway (see settings.ts).
 */
function parameter(context: IHookFunctions | IWebhookFunctions, name: string, fallback: unknown): unknown {
	const raw = context.getNodeParameter(name, fallback, { rawExpressions: true }) as unknown;
	const literal = !isExpression(raw) && !(isPlainObject(raw) && Object.values(raw).some(isExpression));
	return literal ? raw : context.getNodeParameter(name, fallback);
}

/**
 * The body n8n parsed from the raw body, where it surely read the same bytes as UTF-8 JSON (what
 * Stripe sends): parsing a delivery again costs a third of its time. Any other content type or
 * encoding (headers are not signed) leaves the verification to parse the raw body itself.
 */
function parsedFromRawBody(request: { headers: Record<string, string | string[] | undefined>; body?: unknown }): unknown {
	const contentType = request.headers['content-type'];
	if (request.headers['content-encoding'] !== undefined || typeof contentType !== 'string') return undefined;
	return /^application\/json\s*(;\s*charset=utf-8\s*)?$/i.test(contentType) ? request.body : undefined;
}

/** Every setting, checked (see settings.ts), or the problem of the first one that cannot be used. */
function settingsOf(context: IHookFunctions | IWebhookFunctions): SettingsReading {
	return readSettings((name, fallback) => parameter(context, name, fallback));
}

/** The settings at activation: one that cannot be used stops it, before any request to Stripe. */
function checkedSettings(context: IHookFunctions): TriggerSettings {
	const reading = settingsOf(context);
	if (!reading.ok) throw new NodeOperationError(context.getNode(), reading.problem);
	return reading.settings;
}

/**
 * The mode at deactivation, which must not fail: an Endpoint that is neither option counts as
 * 'managed', whose clean-up removes only endpoints this trigger owns.
 */
function modeForRemoval(context: IHookFunctions): EndpointMode {
	try {
		return readEndpointMode(parameter(context, 'endpoint', 'managed'));
	} catch {
		return 'managed';
	}
}

function ownerOf(context: IHookFunctions): Owner {
	return {
		instance: context.getInstanceId(),
		workflow: String(context.getWorkflow().id ?? ''),
		node: context.getNode().id,
		// The editor's "Listen for test event" runs the hooks in manual mode, on the test URL.
		mode: context.getMode() === 'manual' ? 'test' : 'production',
	};
}

function lifecycleOf(context: IHookFunctions, outcomes: Outcome[]) {
	const url = context.getNodeWebhookUrl('default');
	if (!url) throw new NodeOperationError(context.getNode(), 'n8n gave this trigger no webhook URL to register at Stripe.');
	return { api: endpointApiFor(context), staticData: context.getWorkflowStaticData('node'), owner: ownerOf(context), url, events: eventsFor(outcomes) };
}

/** Stripe's message with the fix in the message itself, where the reader may see nothing else. */
function withEndpointFix(context: IHookFunctions, error: unknown): unknown {
	const details = (error as StripeApiError | undefined)?.[STRIPE_ERROR_DETAILS];
	if (!details) return error;
	const fix = endpointFix(details.httpStatus, details.stripe);
	if (!fix) return error;
	const stripeMessage = details.stripe?.message ?? `Stripe answered HTTP ${details.httpStatus}`;
	return new NodeOperationError(context.getNode(), `${stripeMessage} — ${fix}`, { description: (error as StripeApiError).description ?? undefined });
}

export class StripeBillingPortalTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Stripe Billing Portal Trigger',
		name: 'stripeBillingPortalTrigger',
		icon: { light: 'file:stripeBillingPortal.svg', dark: 'file:stripeBillingPortal.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["events"].join(", ")}}',
		description: 'Starts the workflow when a customer cancels, changes plan, pauses or updates billing details in the Stripe customer portal',
		defaults: { name: 'Stripe Billing Portal Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: CREDENTIAL_TYPE, required: true }],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				// n8n answers Stripe as soon as the delivery is accepted and runs the workflow after.
				responseMode: 'onReceived',
				path: 'webhook',
			},
		],
		properties: [
			{
				displayName: 'Listen For',
				name: 'events',
				type: 'multiOptions',
				required: true,
				// Ordered as a customer's journey (cancel, change, pause, update), not alphabetically.
				options: OUTCOME_NAMES.map((value) => ({ name: OUTCOMES[value].name, value, description: OUTCOMES[value].description })),
				default: ['canceled', 'cancellationScheduled'],
				description: 'What the customer did. Each execution gets one item per outcome; an event that matches none starts nothing.',
			},
			{
				displayName: 'Endpoint',
				name: 'endpoint',
				type: 'options',
				options: [
					{
						name: 'Registered by This Trigger',
						value: 'managed',
						description: "On activation the trigger registers one Stripe webhook endpoint at this workflow's URL and deletes it on deactivation. Needs 'Webhook Endpoints: Write'.",
					},
					{
						name: 'Created by Me',
						value: 'own',
						description: 'You created the endpoint (dashboard or `stripe listen`) and paste its signing secret below',
					},
				],
				default: 'managed',
			},
			{
				displayName: 'Signing Secret',
				name: 'signingSecret',
				type: 'string',
				typeOptions: { password: true },
				required: true,
				default: '',
				placeholder: 'e.g. whsec_…',
				description: `The endpoint's signing secret (whsec_…). Create the endpoint with API version ${STRIPE_API_VERSION} and the events listed in the README for your outcomes.`,
				displayOptions: { show: { endpoint: ['own'] } },
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Include Portal Session URL',
						name: 'includeSessionUrl',
						type: 'boolean',
						default: false,
						description:
							"Whether Portal Session Created items (and their raw event) keep the session's URL. It lets whoever holds it manage the customer's billing without logging in, so it is redacted unless you need it.",
					},
					{
						displayName: 'Signature Tolerance (Seconds)',
						name: 'toleranceSeconds',
						type: 'number',
						typeOptions: { minValue: 1, maxValue: MAX_TOLERANCE_SECONDS },
						default: DEFAULT_TOLERANCE_SECONDS,
						description: `How far the signature's timestamp may be from now, either way, at most ${MAX_TOLERANCE_SECONDS}. Older deliveries are refused as replays.`,
					},
				],
			},
		],
	};

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				const settings = checkedSettings(this);
				// Nothing to register when the user created the endpoint.
				if (settings.mode === 'own') return true;
				try {
					return await endpointExists(lifecycleOf(this, settings.outcomes));
				} catch (error) {
					throw withEndpointFix(this, error);
				}
			},
			async create(this: IHookFunctions): Promise<boolean> {
				const settings = checkedSettings(this);
				if (settings.mode === 'own') return true;
				try {
					const outcome = await ensureEndpoint(lifecycleOf(this, settings.outcomes), (message) => new NodeOperationError(this.getNode(), message));
					if (outcome.replaced.length > 0) {
						this.logger.info(`Stripe Billing Portal Trigger replaced its earlier webhook endpoints ${outcome.replaced.join(', ')} with ${outcome.endpoint.id}`);
					}
					return true;
				} catch (error) {
					throw withEndpointFix(this, error);
				}
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				const staticData = this.getWorkflowStaticData('node');
				if (modeForRemoval(this) === 'own' && staticData[STATIC_DATA_KEYS.endpointId] === undefined) return true;
				const url = this.getNodeWebhookUrl('default') ?? '';
				try {
					await removeEndpoints({ api: endpointApiFor(this), staticData, owner: ownerOf(this), url });
					return true;
				} catch (error) {
					throw withEndpointFix(this, error);
				}
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const request = this.getRequestObject();
		const response = this.getResponseObject();
		const refuse = (reason: keyof typeof REFUSALS): IWebhookResponseData => {
			const { status, text } = REFUSALS[reason];
			response.status(status).json({ received: false, error: text });
			return { noWebhookResponse: true };
		};

		// Settings activation would refuse (an expression may give something else by now) verify nothing.
		const reading = settingsOf(this);
		if (!reading.ok) {
			this.logger.warn(`Stripe Billing Portal Trigger refused a delivery: ${reading.problem}`);
			return refuse('settings');
		}
		const settings = reading.settings;
		// Read, never written here: n8n would save static data after this delivery, racing a re-publish.
		const staticData = this.getWorkflowStaticData('node');
		const mode = settings.mode;
		const secret = mode === 'own' ? settings.signingSecret : staticData[STATIC_DATA_KEYS.secret];
		const rawBody = (request as { rawBody?: unknown }).rawBody;
		const verification = verifyStripeSignature(Buffer.isBuffer(rawBody) ? rawBody : undefined, request.headers['stripe-signature'], {
			secrets: typeof secret === 'string' ? [secret] : [],
			toleranceSeconds: settings.toleranceSeconds,
			nowSeconds: Math.floor(Date.now() / 1000),
			parsedBody: parsedFromRawBody(request),
		});
		if (!verification.ok) return refuse(verification.refusal);
		const event = verification.event;

		// The registered endpoint's own mode, else the key's: reading the credential costs a decryption per delivery.
		const storedMode = staticData[STATIC_DATA_KEYS.livemode];
		const live = mode === 'managed' && typeof storedMode === 'boolean' ? storedMode : isLiveKey((await this.getCredentials(CREDENTIAL_TYPE)).secretKey);
		if (event.livemode !== live) return refuse('wrong mode');
		// The decoding reads the fields of this version; an endpoint made by hand may use another.
		if (event.api_version !== STRIPE_API_VERSION) return refuse('api version');

		// Stripe delivers at least once per endpoint. One workflow may hold two triggers with one
		// secret (two `stripe listen` forwards share the machine's): each remembers its own.
		const scope = `${this.getWorkflow().id ?? ''}\n${this.getNode().id}\n${secret as string}`;
		const acknowledge = (): IWebhookResponseData => {
			response.status(200).json({ received: true });
			return { noWebhookResponse: true };
		};
		// A redelivery of an event already handed on, in this process.
		if (!deliveryMemory.firstDelivery(scope, event.id)) return acknowledge();
		const objectId = typeof event.data.object.id === 'string' ? event.data.object.id : null;
		const stale = deliveryMemory.staleness(scope, objectId, event.id, event.created);

		const decodeOptions = { includeSessionUrl: settings.includeSessionUrl };
		const items = decodeEvent(event, new Set(settings.outcomes), decodeOptions);
		if (items.length === 0) return acknowledge();
		const rawEvent = redactEvent(event, decodeOptions) as unknown as IDataObject;
		return {
			workflowData: [items.map((item) => ({ json: { ...item, stale, rawEvent } as unknown as IDataObject }))],
		};
	}
}
