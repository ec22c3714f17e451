export const SERVICE_NAME = 'codelab-agent-service';
export const SERVICE_VERSION = '0.1.0';
