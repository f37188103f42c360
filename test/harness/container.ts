/**
 * Prepares n8n's dependency-injection container (@n8n/di) the way the engine expects it.
 *
 * What n8n-core pulls from the container while loading and running nodes:
 * - Logger (@n8n/backend-common): DirectoryLoader, contexts' `this.logger`, ErrorReporter ...
 *   → replaced by CaptureLogger (also installed behind n8n-workflow's LoggerProxy).
 * - InstanceSettings (n8n-core): every node execution context reads it; constructing it reads
 *   N8N_USER_FOLDER and writes `<folder>/.n8n/config` → env.ts points it at a temp folder, and
 *   it is constructed eagerly here so the write happens at a known moment.
 * - ErrorReporter, OutboundHttp (@n8n/backend-network, all HTTP requests), ExecutionContextService,
 *   Cipher, BinaryDataConfig, SecurityConfig, ExternalSecretsProxy ...: plain @Service()/@Config()
 *   classes that the container builds on first use from their defaults and the environment.
 */
import './env';

import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import { ErrorReporter, ExternalSecretsProxy, InstanceSettings } from 'n8n-core';
import { LoggerProxy } from 'n8n-workflow';
import { resolve } from 'node:path';

import { n8nFolder, userFolder } from './env';
import { CaptureLogger } from './logger';

let logger: CaptureLogger | undefined;

export function ensureContainer(): CaptureLogger {
	if (logger) return logger;
	logger = new CaptureLogger();
	Container.set(Logger, logger as unknown as Logger);
	LoggerProxy.init(logger);

	const settings = Container.get(InstanceSettings);
	if (resolve(settings.n8nFolder) !== resolve(n8nFolder)) {
		throw new Error(
			`n8n-core's InstanceSettings were created before the harness set N8N_USER_FOLDER ` +
				`(${settings.n8nFolder} instead of ${n8nFolder}); import the harness before using n8n-core`,
		);
	}
	// Build the services the engine fetches lazily, so the first run is not slower than the rest.
	Container.get(ErrorReporter);
	Container.get(ExternalSecretsProxy);
	return logger;
}

export { userFolder, n8nFolder };
