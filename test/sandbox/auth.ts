import type { IncomingHttpHeaders } from 'http';

import { errors } from './errors';

export type Access = 'read' | 'write';

/** A route's required permission; its Stripe name is `rak_<resource>_<access>`. */
export interface Permission {
	resource: string;
	access: Access;
}

export function permissionName(p: Permission): string {
	return `rak_${p.resource}_${p.access}`;
}

export interface ResolvedKey {
	key: string;
	kind: 'secret' | 'restricted';
	livemode: boolean;
	/** Granted `rak_*` names (restricted keys only). */
	permissions: Set<string>;
}

const SHORTHANDS: Record<string, string[]> = {
	billing_portal: ['rak_billing_portal_read', 'rak_billing_portal_write'],
	billing_portal_read: ['rak_billing_portal_read'],
	billing_portal_write: ['rak_billing_portal_read', 'rak_billing_portal_write'],
	customers: ['rak_customer_read', 'rak_customer_write'],
	customer: ['rak_customer_read', 'rak_customer_write'],
	customers_read: ['rak_customer_read'],
	customer_read: ['rak_customer_read'],
	customers_write: ['rak_customer_read', 'rak_customer_write'],
	customer_write: ['rak_customer_read', 'rak_customer_write'],
	subscriptions_read: ['rak_subscription_read'],
	subscription_read: ['rak_subscription_read'],
	webhook_endpoints: ['rak_webhook_endpoint_read', 'rak_webhook_endpoint_write'],
	webhook_endpoints_read: ['rak_webhook_endpoint_read'],
};

export function expandPermissions(list: string[]): Set<string> {
	const out = new Set<string>();
	for (const raw of list) {
		const names = SHORTHANDS[raw] ?? [raw.startsWith('rak_') ? raw : `rak_${raw}`];
		for (const n of names) {
			out.add(n);
			if (n.endsWith('_write')) out.add(`${n.slice(0, -'_write'.length)}_read`);
		}
	}
	return out;
}

/** Masks a key the way Stripe prints it: prefix kept, all but the last 4 characters as '*'. */
export function maskKey(key: string): string {
	const m = /^[a-z]{2,3}_(?:test|live)_/.exec(key);
	const prefix = m ? m[0] : '';
	const rest = key.slice(prefix.length);
	if (rest.length <= 4) return prefix + rest;
	return prefix + '*'.repeat(rest.length - 4) + rest.slice(-4);
}

export function isLive(key: string): boolean {
	return /^[a-z]{2,3}_live_/.test(key);
}

/** Extracts the key from `Authorization: Bearer <key>` or Basic auth (`<key>:` as user name). */
export function extractKey(headers: IncomingHttpHeaders): string | undefined {
	const header = headers.authorization;
	if (!header) return undefined;
	const m = /^\s*(\S+)\s*(.*?)\s*$/.exec(header);
	if (!m) return undefined;
	const scheme = m[1].toLowerCase();
	const credentials = m[2];
	if (scheme === 'bearer') return credentials || undefined;
	if (scheme === 'basic') {
		const decoded = Buffer.from(credentials, 'base64').toString('utf8');
		const user = decoded.split(':')[0];
		return user || undefined;
	}
	return undefined;
}

export class KeyRing {
	private readonly keys = new Map<string, ResolvedKey>();

	constructor(secretKeys: string[], restrictedKeys: Record<string, string[]>) {
		for (const key of secretKeys)
			this.keys.set(key, { key, kind: 'secret', livemode: isLive(key), permissions: new Set() });
		for (const [key, perms] of Object.entries(restrictedKeys))
			this.keys.set(key, { key, kind: 'restricted', livemode: isLive(key), permissions: expandPermissions(perms) });
	}

	/** Resolves the request's key or throws Stripe's 401. */
	authenticate(headers: IncomingHttpHeaders): ResolvedKey {
		const key = extractKey(headers);
		if (key === undefined) throw errors.noApiKey();
		const resolved = this.keys.get(key);
		if (!resolved) throw errors.invalidApiKey(maskKey(key));
		return resolved;
	}

	/** Throws Stripe's 403 when a restricted key lacks the permission. */
	authorize(key: ResolvedKey, permission: Permission, accountId: string): void {
		if (key.kind === 'secret') return;
		const name = permissionName(permission);
		if (!key.permissions.has(name)) throw errors.permissionDenied(maskKey(key.key), accountId, name);
	}
}
