/**
 * What is measured: this package's node and, as the baseline, the minimal declarative node of the
 * test fixtures, both creating one portal session per item for the same seeded customer.
 */
import { resolve } from 'node:path';
import type { INodeParameters, INodeProperties } from 'n8n-workflow';

import { DEFAULT_API_VERSION, DEFAULT_SECRET_KEY, SEED_IDS } from '../test/sandbox';

export const ROOT = resolve(__dirname, '..');
export const API_VERSION = DEFAULT_API_VERSION;
export const SECRET_KEY = DEFAULT_SECRET_KEY;
export const CUSTOMER = SEED_IDS.jenny;
export const RETURN_URL = 'https://example.com/back';
/** A Return URL naming its item (`…/back?item=e3-i17`), so that the sandbox can count sessions per item (duplicates). */
export const RETURN_URL_BASE = 'https://example.com/back?item=';
/** The node's Return URL, by expression from each item's id. */
export const RETURN_URL_EXPRESSION = `={{ "${RETURN_URL_BASE}" + $json.id }}`;

/** The node's rate behaviour, as the node's Request Settings (`requestSettings`) offer it. */
export interface NodeOptions {
	/**
	 * The user's own cap, on top of the node's account limiter (which always applies: 24/s for a
	 * test key; 96/s overall and 24/s per endpoint for a live one). 0 or absent: no cap of one's own.
	 */
	maxRequestsPerSecond?: number;
}

/**
 * High enough that the user's cap never bounds a run that is about CPU or memory. The account
 * limiter still would: (b) and (c) lift it as well (limiter.ts liftAccountLimits()).
 */
export const UNBOUNDED: NodeOptions = { maxRequestsPerSecond: 1_000_000 };

export type SubjectName = 'ours' | 'minimal';

export interface EngineSubject {
	name: SubjectName;
	label: string;
	packageDir: string;
	nodeType: string;
	credentialType: string;
	parameters(options?: NodeOptions): INodeParameters;
}

const customer = { __rl: true, mode: 'id', value: CUSTOMER };

export const SUBJECTS: Record<SubjectName, EngineSubject> = {
	ours: {
		name: 'ours',
		label: 'this node',
		packageDir: ROOT,
		nodeType: 'stripeBillingPortal',
		credentialType: 'stripeBillingPortalApi',
		parameters: (options) => ({
			resource: 'portalSession',
			operation: 'create',
			customer,
			returnUrl: RETURN_URL,
			...(options ? { requestSettings: { ...options } } : {}),
		}),
	},
	minimal: {
		name: 'minimal',
		label: 'minimal declarative node',
		packageDir: resolve(ROOT, 'test/fixtures/minimal-declarative-node'),
		nodeType: 'minimalStripe',
		credentialType: 'minimalStripeApi',
		// It has no options: it sends as fast as the engine lets it and never retries.
		parameters: () => ({ resource: 'portalSession', operation: 'create', customer, returnUrl: RETURN_URL }),
	},
};

/** The settings the node offers in its Request Settings collection (`requestSettings`). */
export const NODE_OPTION_NAMES = ['maxRequestsPerSecond', 'retries', 'idempotencyKey', 'connectedAccount'] as const;

/**
 * Which of NODE_OPTION_NAMES the node's description lacks. n8n drops parameters a node does not
 * describe without a word, so sending an option the node does not have would silently measure
 * the node without it; this is how the bench tells.
 */
export function missingNodeOptions(properties: INodeProperties[]): string[] {
	const offered = new Set<string>();
	for (const property of properties) {
		if (property.name !== 'requestSettings' || property.type !== 'collection') continue;
		for (const option of property.options ?? []) {
			if ('name' in option) offered.add(option.name);
		}
	}
	return NODE_OPTION_NAMES.filter((name) => !offered.has(name));
}
