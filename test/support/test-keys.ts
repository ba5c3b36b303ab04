/** `encryptionKeys` for the e2e suites: a fixed, obviously-fake key (never a real one). */
export const E2E_ENCRYPTION_KEYS = [{ id: 'e2e', key: Buffer.alloc(32, 42).toString('base64') }];
