/** What a session id may look like (PROTOCOL §2.1). */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const TEMPORARY_ID_PREFIX = 'new_';

export const isValidSessionId = (value: string): boolean => SESSION_ID_PATTERN.test(value);
export const isTemporarySessionId = (value: string): boolean => value.startsWith(TEMPORARY_ID_PREFIX);
