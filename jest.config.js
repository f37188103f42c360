/** @type {import('jest').Config} */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/test/tsconfig.json' }],
	},
	// Tests share one sandbox port range and one n8n user folder per worker; two workers fit 2 cores.
	maxWorkers: 2,
	testTimeout: 30000,
	reporters: ['default', '<rootDir>/test/reporters/plain-summary.js'],
};
