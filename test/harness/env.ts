/**
 * Process environment for n8n-core, applied before anything asks the DI container for
 * InstanceSettings (which reads N8N_USER_FOLDER once and writes `<folder>/.n8n/config`).
 *
 * Every test file gets its own throw-away user folder under the OS temp dir, so tests never
 * touch ~/.n8n and parallel jest workers never share one. `N8N_HARNESS_USER_FOLDER` overrides
 * the location (it must not be the home directory).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

function chooseUserFolder(): { folder: string; created: boolean } {
	const override = process.env.N8N_HARNESS_USER_FOLDER;
	if (override) {
		if (resolve(override) === resolve(homedir())) {
			throw new Error('N8N_HARNESS_USER_FOLDER must not be the home directory');
		}
		return { folder: resolve(override), created: false };
	}
	return { folder: mkdtempSync(join(tmpdir(), 'n8n-harness-')), created: true };
}

const chosen = chooseUserFolder();

/** The folder N8N_USER_FOLDER points at; n8n-core keeps its files in `<userFolder>/.n8n`. */
export const userFolder = chosen.folder;
/** Where n8n-core writes its settings (`config`, holding the encryption key). */
export const n8nFolder = join(userFolder, '.n8n');

process.env.N8N_USER_FOLDER = userFolder;

function removeUserFolder(): void {
	try {
		rmSync(userFolder, { recursive: true, force: true });
	} catch {
		// best effort: the OS cleans its temp dir eventually
	}
}

if (chosen.created) {
	// Under jest the harness is loaded per test file, so jest's afterAll is the reliable moment
	// (jest workers may be killed without an 'exit' event); elsewhere fall back to process exit.
	const jestAfterAll = (globalThis as { afterAll?: (fn: () => void) => void }).afterAll;
	if (typeof jestAfterAll === 'function') jestAfterAll(removeUserFolder);
	else process.once('exit', removeUserFolder);
}
