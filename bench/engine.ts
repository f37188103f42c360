/**
 * Running a subject on N items through n8n's engine (the test harness: n8n-core's loader,
 * WorkflowExecute and RoutingNode) and summing up what came out.
 */
// The harness must be imported before anything else touches n8n-core (it sets N8N_USER_FOLDER).
import { loadPackage, runNode, type LoadedPackage } from '../test/harness';
import type { IDataObject, INodeParameters, WorkflowExecuteMode } from 'n8n-workflow';

import { API_VERSION, SECRET_KEY, type EngineSubject, type NodeOptions } from './subjects';

export interface EngineRun {
	wallMs: number;
	outputItems: number;
	/** Output items without an error. */
	succeededItems: number;
	/** Input items without a successful output item: error items, or all if the run stopped. */
	failedItems: number;
	/** The most frequent failure reasons, e.g. "429 Too Many Requests ×975". */
	failures: string[];
	/** The run's own error: set only if the node stopped the run despite On Error: Continue. */
	runError?: string;
}

export { loadPackage, type LoadedPackage };

export function inputItems(count: number): Array<{ index: number }> {
	return Array.from({ length: count }, (_, index) => ({ index }));
}

function reason(error: unknown): string {
	const { httpCode, message } = error as { httpCode?: unknown; message?: unknown };
	const code = httpCode === undefined || httpCode === null || httpCode === 'none' ? '' : `${String(httpCode)} `;
	return `${code}${String(message ?? error)}`.slice(0, 140);
}

/** The most frequent failure reasons, with how often each came. */
export function topReasons(reasons: string[], limit = 3): string[] {
	const counts = new Map<string, number>();
	for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
	return [...counts.entries()]
		.sort((a, b) => b[1] - a[1])
		.slice(0, limit)
		.map(([r, count]) => `${r} ×${count}`);
}

/**
 * One run of the subject on `items` items. On Error is Continue so that every failed item shows
 * up as an error item and can be counted: with Stop, n8n reports only the first.
 */
export async function runThroughEngine(
	pkg: LoadedPackage,
	subject: EngineSubject,
	{
		items,
		baseUrl,
		options,
		secretKey = SECRET_KEY,
		parameters: extraParameters,
		mode,
		credentialData,
		executionId,
	}: {
		items: IDataObject[];
		baseUrl: string;
		options?: NodeOptions;
		/** Default: the sandbox's test key. */
		secretKey?: string;
		/** Parameters set over the subject's own (e.g. a Return URL by expression). */
		parameters?: INodeParameters;
		/** n8n's execution mode; default 'manual' (a run from the editor). */
		mode?: WorkflowExecuteMode;
		/** Credential fields set over the key, version and Base URL (e.g. an account's stated limits). */
		credentialData?: IDataObject;
		/** The execution's ID (default: a new one per run); queue-mode workers run every N-th of one numbering. */
		executionId?: string;
	},
): Promise<EngineRun> {
	const parameters = { ...subject.parameters(options), ...extraParameters };
	const credentials = {
		type: subject.credentialType,
		data: { secretKey, apiVersion: API_VERSION, baseUrl, ...credentialData },
	};
	const started = performance.now();
	const result = await runNode({
		pkg,
		nodeType: subject.nodeType,
		parameters,
		items,
		credentials,
		continueOnFail: true,
		mode,
		executionId,
	});
	const wallMs = performance.now() - started;
	const failed = result.items.filter((item) => item.error !== undefined);
	const succeeded = result.items.length - failed.length;
	return {
		wallMs,
		outputItems: result.items.length,
		succeededItems: succeeded,
		failedItems: Math.max(0, items.length - succeeded),
		failures: topReasons(failed.map((item) => reason(item.error))),
		runError: result.error ? reason(result.error) : undefined,
	};
}
