/**
 * `npm run test:e2e`: the real n8n CLI and its editor in headless Chromium (test/e2e). One worker:
 * the suite runs one n8n instance and one browser, and each step builds on the one before.
 * @type {import('jest').Config}
 */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test/e2e'],
	testMatch: ['**/*.e2e.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/test/tsconfig.json' }],
	},
	maxWorkers: 1,
	testTimeout: 120000,
	reporters: ['default', ['<rootDir>/test/reporters/plain-summary.js', { file: 'e2e-summary.txt' }]],
};
