import type { Permission, ResolvedKey } from './auth';
import type { ObjectSchema } from './params';
import type { SandboxStore } from './store';
import type { PlainObject, RecordedRequest } from './types';

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

/** What a handler sees. */
export interface RequestContext {
	request: RecordedRequest;
	key: ResolvedKey;
	livemode: boolean;
	apiVersion: string;
	accountId: string;
	/** The objects of the account the request acts for (Stripe-Account, else the platform). */
	store: SandboxStore;
	/** Whether an `acct_` ID is an account connected to the platform (on_behalf_of, customer_account). */
	isConnectedAccount: (account: string) => boolean;
	/** Decoded `:name` segments of the route path. */
	pathParams: Record<string, string>;
	/** Parameters validated against the route's schema (integers/booleans coerced). */
	params: PlainObject;
}

/** One endpoint. Resources export arrays of these; the server routes through them in order. */
export interface RouteDef {
	method: HttpMethod;
	/** e.g. '/v1/customers/:id'. A `:name` matches one non-empty segment. */
	path: string;
	permission: Permission;
	/** Schema of the merged query + body parameters. */
	params: ObjectSchema;
	/** Returns the JSON body of a 200 response; throws StripeApiError for errors. */
	handle(ctx: RequestContext): unknown;
}

/**
 * The endpoint a route is, in the form Stripe's docs name them: method and path template with
 * `{name}` for each ID, e.g. 'GET /v1/customers/{id}'. Requests for any ID are the same endpoint.
 */
export function endpointName(route: Pick<RouteDef, 'method' | 'path'>): string {
	return `${route.method} ${route.path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}')}`;
}

/** Search endpoints (`GET /v1/<resource>/search`), which have their own, stricter rate at Stripe. */
export function isSearchEndpoint(route: Pick<RouteDef, 'method' | 'path'>): boolean {
	return route.method === 'GET' && route.path.endsWith('/search');
}

interface CompiledRoute {
	route: RouteDef;
	regex: RegExp;
	names: string[];
}

export interface RouteMatch {
	route: RouteDef;
	pathParams: Record<string, string>;
}

function decodeSegment(s: string): string {
	try {
		return decodeURIComponent(s);
	} catch {
		return s;
	}
}

export class Router {
	private readonly byMethod = new Map<string, CompiledRoute[]>();

	constructor(routes: readonly RouteDef[]) {
		for (const route of routes) this.add(route);
	}

	add(route: RouteDef): void {
		const names: string[] = [];
		const pattern = route.path
			.split('/')
			.map((seg) => {
				if (seg.startsWith(':')) {
					names.push(seg.slice(1));
					return '([^/]+)';
				}
				return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
			})
			.join('/');
		const list = this.byMethod.get(route.method) ?? [];
		list.push({ route, regex: new RegExp(`^${pattern}$`), names });
		this.byMethod.set(route.method, list);
	}

	match(method: string, path: string): RouteMatch | undefined {
		const list = this.byMethod.get(method);
		if (!list) return undefined;
		for (const c of list) {
			const m = c.regex.exec(path);
			if (!m) continue;
			const pathParams: Record<string, string> = {};
			c.names.forEach((n, i) => (pathParams[n] = decodeSegment(m[i + 1])));
			return { route: c.route, pathParams };
		}
		return undefined;
	}
}
