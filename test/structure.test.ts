/**
 * The node's layout, enforced over its import graph so that it cannot rot: each resource owns its
 * request code, one pipeline in transport/ sends every request, shared/ holds what several rooms use,
 * and imports point one way (resources → transport → shared). The rules are plain functions over
 * a graph; they run on the real source and on planted graphs that break each rule, so a rule that
 * could never fail would show here.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import ts from 'typescript';

import { StripeBillingPortal } from '../nodes/StripeBillingPortal/StripeBillingPortal.node';
import { REQUEST_BUILDER } from '../nodes/StripeBillingPortal/transport/agent';
import { writeOperations } from '../nodes/StripeBillingPortal/transport/requestSettingsFields';

const NODE_DIR = resolve(__dirname, '../nodes/StripeBillingPortal');
const CREDENTIALS_DIR = resolve(__dirname, '../credentials');
const TRIGGER_DIR = resolve(__dirname, '../nodes/StripeBillingPortalTrigger');

interface ModuleInfo {
	/** Imports of values (not `import type`), as paths relative to the node folder, without `.ts`. */
	valueImports: string[];
	/** Every local import, types included. */
	imports: string[];
	/** Packages imported for values, e.g. `n8n-workflow`. */
	packageValueImports: string[];
	source: string;
}

type Graph = Record<string, ModuleInfo>;

function sourceFiles(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		if (statSync(path).isDirectory()) return sourceFiles(path);
		return name.endsWith('.ts') ? [path] : [];
	});
}

function moduleId(path: string): string {
	return relative(NODE_DIR, path).replace(/\.ts$/, '').replace(/\\/g, '/');
}

function resolveLocal(from: string, specifier: string): string {
	const base = resolve(dirname(from), specifier);
	for (const candidate of [`${base}.ts`, join(base, 'index.ts')]) {
		try {
			if (statSync(candidate).isFile()) return moduleId(candidate);
		} catch {
			// try the next form
		}
	}
	throw new Error(`${moduleId(from)} imports ${specifier}, which does not resolve`);
}

/** Whether an import or export brings in values, not only types. */
function bringsValues(node: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
	if (ts.isExportDeclaration(node)) {
		if (node.isTypeOnly) return false;
		const clause = node.exportClause;
		if (clause && ts.isNamedExports(clause)) return clause.elements.some((element) => !element.isTypeOnly);
		return true;
	}
	const clause = node.importClause;
	if (!clause) return true; // a side-effect import
	if (clause.isTypeOnly) return false;
	if (clause.name) return true;
	const bindings = clause.namedBindings;
	if (!bindings || ts.isNamespaceImport(bindings)) return true;
	return bindings.elements.some((element) => !element.isTypeOnly);
}

function readGraph(): Graph {
	const graph: Graph = {};
	for (const path of [...sourceFiles(NODE_DIR), ...sourceFiles(TRIGGER_DIR), ...sourceFiles(CREDENTIALS_DIR)]) {
		const source = readFileSync(path, 'utf8');
		const file = ts.createSourceFile(path, source, ts.ScriptTarget.ES2022, true);
		const info: ModuleInfo = { valueImports: [], imports: [], packageValueImports: [], source };
		for (const statement of file.statements) {
			if (!ts.isImportDeclaration(statement) && !ts.isExportDeclaration(statement)) continue;
			const specifier = statement.moduleSpecifier;
			if (!specifier || !ts.isStringLiteral(specifier)) continue;
			const values = bringsValues(statement);
			if (specifier.text.startsWith('.')) {
				const target = resolveLocal(path, specifier.text);
				info.imports.push(target);
				if (values) info.valueImports.push(target);
			} else if (values) {
				info.packageValueImports.push(specifier.text);
			}
		}
		graph[moduleId(path)] = info;
	}
	return graph;
}

/** The room a module lives in: a resource folder, transport, shared, listSearch, the node file, or the trigger node. */
function roomOf(id: string): string {
	if (id.startsWith('../../credentials/')) return 'credentials';
	if (id.startsWith('../StripeBillingPortalTrigger/')) return 'trigger';
	const parts = id.split('/');
	if (parts[0] === 'resources') return `resources/${parts[1]}`;
	return parts.length > 1 ? parts[0] : 'node';
}

/** Modules that are UI data: the editor's fields, pickers and the values they offer. */
function isDescriptionModule(id: string): boolean {
	return /(^|\/)(fields|locators|requestSettingsFields|constants)$/.test(id);
}

/** n8n's helpers that send HTTP requests. */
const REQUEST_HELPERS = /\b(makeRoutingRequest|httpRequestWithAuthentication|requestWithAuthentication|requestOAuth2|helpers\.request|helpers\.httpRequest)\b/;

/** The one module that calls n8n's request helpers: every way in injects its sender there. */
const PIPELINE = 'transport/pipeline';

/** Names only a resource may know. */
const RESOURCE_NAMES = /['"`](portalSession|portalConfiguration)['"`]/;

/** Stripe paths: a resource's to know, except those several rooms send to (the credential's test included). */
const STRIPE_PATH = /\/v1\//;

/** The one shared module that holds Stripe paths, each used by several rooms: one source for each. */
const SHARED_STRIPE_PATHS = 'shared/stripePaths';

function stripComments(source: string): string {
	return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
}

/** Every module a module reaches through value imports, itself excluded. */
function valueClosure(graph: Graph, id: string): Set<string> {
	const seen = new Set<string>();
	const stack = [...(graph[id]?.valueImports ?? [])];
	while (stack.length > 0) {
		const next = stack.pop() as string;
		if (seen.has(next)) continue;
		seen.add(next);
		stack.push(...(graph[next]?.valueImports ?? []));
	}
	return seen;
}

function findCycle(graph: Graph): string[] | undefined {
	const state = new Map<string, 'open' | 'done'>();
	const path: string[] = [];
	const visit = (id: string): string[] | undefined => {
		if (state.get(id) === 'done') return undefined;
		if (state.get(id) === 'open') return [...path.slice(path.indexOf(id)), id];
		state.set(id, 'open');
		path.push(id);
		for (const next of graph[id]?.imports ?? []) {
			const cycle = visit(next);
			if (cycle) return cycle;
		}
		path.pop();
		state.set(id, 'done');
		return undefined;
	};
	for (const id of Object.keys(graph)) {
		const cycle = visit(id);
		if (cycle) return cycle;
	}
	return undefined;
}

/** Every way the graph breaks the layout, one sentence each; empty when it holds. */
export function layoutViolations(graph: Graph): string[] {
	const found: string[] = [];
	for (const [id, info] of Object.entries(graph)) {
		const room = roomOf(id);
		for (const target of info.imports) {
			const targetRoom = roomOf(target);
			if (room === 'transport' && (targetRoom.startsWith('resources/') || targetRoom === 'listSearch' || targetRoom === 'node')) {
				found.push(`${id} (transport) imports ${target}: the transport names no resource`);
			}
			if (room === 'credentials' && targetRoom !== 'shared') {
				found.push(`${id} (credentials) imports ${target}: the credential uses only shared/`);
			}
			if (room === 'shared' && targetRoom !== 'shared') {
				found.push(`${id} (shared) imports ${target}: shared/ imports only shared/`);
			}
			if (room.startsWith('resources/') && targetRoom.startsWith('resources/') && targetRoom !== room) {
				found.push(`${id} imports ${target}: no resource imports another`);
			}
			if (room === 'listSearch' && targetRoom.startsWith('resources/') && target !== `${targetRoom}/index`) {
				found.push(`${id} imports ${target}: list searches reach a resource only through what its index.ts exports`);
			}
			if (room.startsWith('resources/') && (targetRoom === 'listSearch' || targetRoom === 'node')) {
				found.push(`${id} imports ${target}: resources do not reach back into the node or its list searches`);
			}
			if (room === 'trigger' && targetRoom !== 'trigger' && targetRoom !== 'transport' && targetRoom !== 'shared') {
				found.push(`${id} (trigger) imports ${target}: the trigger uses only transport/ and shared/`);
			}
			if (room !== 'trigger' && targetRoom === 'trigger') {
				found.push(`${id} imports ${target}: nothing of the action node imports the trigger`);
			}
		}
		if (isDescriptionModule(id)) {
			const runtime = [id, ...valueClosure(graph, id)].filter((module) => graph[module]?.packageValueImports.length);
			if (runtime.length > 0) {
				found.push(`${id} is UI data but reaches runtime code (${runtime.join(', ')} import values from packages)`);
			}
		}
		const code = stripComments(info.source);
		if (id !== PIPELINE && REQUEST_HELPERS.test(code)) {
			found.push(`${id} calls n8n's request helpers: only transport/pipeline sends requests`);
		}
		const namesPath = STRIPE_PATH.test(code) && id !== SHARED_STRIPE_PATHS;
		if ((room === 'transport' || room === 'shared') && (RESOURCE_NAMES.test(code) || namesPath)) {
			found.push(`${id} names a resource or a Stripe path: resources hand those to ${room}/`);
		}
	}
	const sharedModules = Object.keys(graph).filter((id) => roomOf(id) === 'shared');
	for (const shared of sharedModules) {
		const rooms = new Set(
			Object.entries(graph)
				.filter(([id, info]) => roomOf(id) !== 'shared' && info.imports.includes(shared))
				.map(([id]) => roomOf(id)),
		);
		// A shared module may also serve other shared modules, which count for the rooms they serve.
		const viaShared = sharedModules.filter((other) => graph[other].imports.includes(shared));
		if (rooms.size < 2 && viaShared.length === 0) {
			found.push(`${shared} is used by ${rooms.size === 0 ? 'no room' : [...rooms].join('')} alone: move it there`);
		}
	}
	const cycle = findCycle(graph);
	if (cycle) found.push(`import cycle: ${cycle.join(' → ')}`);
	return found;
}

const graph = readGraph();

describe('the node’s layout', () => {
	it('has the rooms the README describes', () => {
		const rooms = new Set(Object.keys(graph).map(roomOf));
		expect([...rooms].sort()).toEqual(
			['credentials', 'listSearch', 'node', 'resources/portalConfiguration', 'resources/portalLoginLink', 'resources/portalSession', 'shared', 'transport', 'trigger'].sort(),
		);
		// Each resource's request code is named for what it holds: the login link's builds no body.
		const requestCode = { portalConfiguration: 'body', portalLoginLink: 'loginLink', portalSession: 'body' };
		for (const [resource, code] of Object.entries(requestCode)) {
			for (const part of ['index', 'fields', code, 'constants', 'fieldNames']) {
				expect(Object.keys(graph)).toContain(`resources/${resource}/${part}`);
			}
		}
	});

	it('holds every rule: one-way imports, one sender, no resource in transport or shared, UI data apart from runtime', () => {
		expect(layoutViolations(graph)).toEqual([]);
	});

	it('sends every request from one pipeline module, which calls n8n’s senders', () => {
		expect(Object.keys(graph)).toContain(PIPELINE);
		const senders = Object.entries(graph)
			.filter(([, info]) => REQUEST_HELPERS.test(stripComments(info.source)))
			.map(([id]) => id);
		expect(senders).toEqual([PIPELINE]);
	});

	it('keeps each operation’s request builders in its own resource folder', async () => {
		const { properties } = new StripeBillingPortal().description;
		for (const resource of ['portalConfiguration', 'portalLoginLink', 'portalSession']) {
			const exported = new Set<unknown>();
			for (const id of Object.keys(graph).filter((module) => module.startsWith(`resources/${resource}/`))) {
				// The module's exports, to compare the description's hooks with by identity.
				const exports = (await import(join(NODE_DIR, id))) as Record<string, unknown>;
				Object.values(exports).forEach((value) => exported.add(value));
			}
			const operations = properties.filter(
				(property: INodeProperties) => property.name === 'operation' && property.displayOptions?.show?.resource?.includes(resource),
			);
			expect(operations).toHaveLength(1);
			for (const option of operations[0].options as INodePropertyOptions[]) {
				for (const routed of option.routing?.send?.preSend ?? []) {
					// Routed behind the transport's agent wording; the builder itself is the resource's.
					const hook = (routed as typeof routed & { [REQUEST_BUILDER]?: typeof routed })[REQUEST_BUILDER];
					expect({ operation: option.value, wordedForAgents: hook !== undefined }).toEqual({ operation: option.value, wordedForAgents: true });
					if (!hook) continue;
					expect({ operation: option.value, hook: hook.name, inResource: exported.has(hook) }).toEqual({
						operation: option.value,
						hook: hook.name,
						inResource: true,
					});
				}
			}
		}
	});
});

describe('an operation is added in its resource’s folder alone', () => {
	const { properties } = new StripeBillingPortal().description;
	const operationValues = [
		...new Set(
			properties
				.filter((property: INodeProperties) => property.name === 'operation')
				.flatMap((property: INodeProperties) => (property.options as INodePropertyOptions[]).map((option) => String(option.value))),
		),
	];

	it('the transport names no operation: Request Settings read which operations write from their routing', () => {
		expect(operationValues.length).toBeGreaterThan(0);
		const named = Object.entries(graph)
			.filter(([id]) => roomOf(id) === 'transport')
			.flatMap(([id, info]) => {
				const code = stripComments(info.source);
				return operationValues.filter((value) => new RegExp(`['"\`]${value}['"\`]`).test(code)).map((value) => `${id} names '${value}'`);
			});
		expect(named).toEqual([]);
	});

	it('shows the Idempotency Key on every operation that sends a POST, and on no other', () => {
		const posts = properties
			.filter((property: INodeProperties) => property.name === 'operation')
			.flatMap((property: INodeProperties) => (property.options as INodePropertyOptions[]).filter((option) => option.routing?.request?.method === 'POST'))
			.map((option) => String(option.value));
		const settings = properties.find((property: INodeProperties) => property.name === 'requestSettings') as INodeProperties;
		const idempotencyKey = (settings.options as INodeProperties[]).find((option) => option.name === 'idempotencyKey');
		expect(idempotencyKey?.displayOptions).toEqual({ show: { '/operation': [...new Set(posts)] } });
	});

	it('a POST operation planted in a resource gets the Idempotency Key without an edit in transport/', () => {
		const planted: INodeProperties[] = [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				default: 'get',
				options: [
					{ name: 'Get', value: 'get', routing: { request: { method: 'GET', url: '/v1/things' } } },
					{ name: 'Archive', value: 'archive', routing: { request: { method: 'POST', url: '/v1/things' } } },
				],
			},
		];
		expect(writeOperations(planted)).toEqual(['archive']);
		expect(writeOperations([])).toEqual([]);
	});
});

describe('the layout rules catch what breaks them', () => {
	const module = (imports: string[], options: Partial<ModuleInfo> = {}): ModuleInfo => ({
		imports,
		valueImports: imports,
		packageValueImports: [],
		source: '',
		...options,
	});
	const base = (): Graph => ({
		'resources/a/index': module(['transport/index', 'shared/ids']),
		'resources/b/index': module(['transport/index', 'shared/ids']),
		'transport/index': module(['shared/ids']),
		'shared/ids': module([]),
	});

	it('accepts the planted base graph', () => {
		expect(layoutViolations(base())).toEqual([]);
	});

	it('accepts a list search that reaches a resource through its index.ts', () => {
		const graph = base();
		graph['listSearch/searchThings'] = module(['resources/a/index', 'transport/index', 'shared/ids']);
		expect(layoutViolations(graph)).toEqual([]);
	});

	it('accepts a Stripe path in shared/stripePaths that several rooms use', () => {
		const graph = base();
		graph['shared/stripePaths'] = module([], { source: "export const PATH = '/v1/billing_portal/configurations';" });
		graph['resources/a/index'].imports.push('shared/stripePaths');
		graph['../../credentials/Api.credentials'] = module(['shared/stripePaths']);
		expect(layoutViolations(graph)).toEqual([]);
	});

	it.each<[string, (graph: Graph) => void, RegExp]>([
		['transport importing a resource', (g) => g['transport/index'].imports.push('resources/a/index'), /transport names no resource/],
		['shared importing transport', (g) => g['shared/ids'].imports.push('transport/index'), /shared\/ imports only shared/],
		['the credential importing transport', (g) => (g['../../credentials/Api.credentials'] = module(['transport/index'])), /the credential uses only shared/],
		['a resource importing another', (g) => g['resources/a/index'].imports.push('resources/b/index'), /no resource imports another/],
		[
			'UI fields reaching runtime code',
			(g) => {
				g['resources/a/fields'] = module(['resources/a/body']);
				g['resources/a/body'] = module([], { packageValueImports: ['n8n-workflow'] });
			},
			/UI data but reaches runtime code/,
		],
		['a request sent outside transport', (g) => (g['resources/a/index'].source = 'await this.helpers.httpRequestWithAuthentication.call(this)'), /only transport\/pipeline sends requests/],
		['a request sent from transport but not its pipeline', (g) => (g['transport/index'].source = 'await context.makeRoutingRequest(request)'), /transport\/index calls n8n's request helpers: only transport\/pipeline sends requests/],
		['a list search reaching into a resource', (g) => (g['listSearch/searchThings'] = module(['resources/a/fieldNames', 'transport/index'])), /list searches reach a resource only through what its index\.ts exports/],
		['a resource named in transport', (g) => (g['transport/index'].source = "if (resource === 'portalSession') {}"), /names a resource/],
		['a Stripe path in shared', (g) => (g['shared/ids'].source = "const PATH = '/v1/customers';"), /names a resource or a Stripe path/],
		['a resource named in shared/stripePaths', (g) => {
			g['shared/stripePaths'] = module([], { source: "const RESOURCE = 'portalSession';" });
			g['resources/a/index'].imports.push('shared/stripePaths');
			g['resources/b/index'].imports.push('shared/stripePaths');
		}, /shared\/stripePaths names a resource/],
		['shared/stripePaths holding a path one room alone uses', (g) => {
			g['shared/stripePaths'] = module([], { source: "export const PATH = '/v1/customers';" });
			g['resources/a/index'].imports.push('shared/stripePaths');
		}, /shared\/stripePaths is used by resources\/a alone/],
		[
			'a shared module only one room uses',
			(g) => {
				g['resources/a/index'].imports = ['transport/index'];
				g['resources/b/index'].imports = ['transport/index'];
			},
			/shared\/ids is used by transport alone/,
		],
		['an import cycle', (g) => g['shared/ids'].imports.push('shared/ids'), /import cycle/],
		['the trigger importing a resource', (g) => (g['../StripeBillingPortalTrigger/decode'] = module(['resources/a/index'])), /the trigger uses only transport\/ and shared\//],
		['transport importing the trigger', (g) => {
			g['../StripeBillingPortalTrigger/decode'] = module([]);
			g['transport/index'].imports.push('../StripeBillingPortalTrigger/decode');
		}, /nothing of the action node imports the trigger/],
		['a request sent from the trigger', (g) => (g['../StripeBillingPortalTrigger/endpoints'] = module(['transport/index'], { source: 'this.helpers.httpRequestWithAuthentication' })), /only transport\/pipeline sends requests/],
	])('%s', (_title, plant, expected) => {
		const graph = base();
		plant(graph);
		expect(layoutViolations(graph).join('\n')).toMatch(expected);
	});
});
