/** The text of a WebSocket message as `ws` hands it over (a Buffer, an ArrayBuffer or fragments). */
export function wsMessageText(data: string | Buffer | ArrayBuffer | readonly Buffer[]): string {
  if (typeof data === 'string') return data;
  if (Array.isArray(data)) return Buffer.concat(data as readonly Buffer[]).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
}
