import { buildConsole } from '../../scripts/build-console';
import { useTestApp } from '../utils/use-test-app';

const API_KEY = 'console-e2e-key-0123456789';

/**
 * The console's HTTP side: where it is served, with which headers, and that it is public (it holds no
 * data) while the API behind it keeps asking for credentials. Its screens are tested in a real browser
 * by `npm run test:browser`.
 */
describe('Web console (e2e)', () => {
  const app = useTestApp(() => ({ AUTH_API_KEYS: `${API_KEY}:console-user` }));
  const running = () => app.running;

  beforeAll(async () => {
    await buildConsole();
  }, 60_000);

  it('redirects / to /console', async () => {
    const response = await fetch(`${running().baseUrl}/`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/console');
  });

  it('serves the page with a CSP that allows no inline script and only this origin, also over ws', async () => {
    const response = await fetch(`${running().baseUrl}/console`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain('<script type="module" src="/console/assets/console.js"></script>');
    expect(html).not.toMatch(/<script>(?!<\/script>)/);
    const csp = response.headers.get('content-security-policy') ?? '';
    const host = new URL(running().baseUrl).host;
    expect(csp.split('; ')).toEqual(
      expect.arrayContaining(["default-src 'self'", "script-src 'self'", "object-src 'none'", "frame-ancestors 'none'", `connect-src 'self' ws://${host} wss://${host}`]),
    );
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('serves the bundle with the same headers, and nothing outside it', async () => {
    const script = await fetch(`${running().baseUrl}/console/assets/console.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(script.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect((await script.text()).length).toBeGreaterThan(1000);
    expect((await fetch(`${running().baseUrl}/console/assets/console.css`)).status).toBe(200);
    for (const name of ['missing.js', '..%2Fmain.js', '.env', 'index.html', '%2E%2E%2F%2E%2E%2Fpackage.json']) {
      expect((await fetch(`${running().baseUrl}/console/assets/${name}`)).status).toBe(404);
    }
  });

  it('is public while the API needs a credential', async () => {
    expect((await fetch(`${running().baseUrl}/console`)).status).toBe(200);
    expect((await fetch(`${running().baseUrl}/api/v1/sessions`)).status).toBe(401);
    expect((await fetch(`${running().baseUrl}/api/v1/sessions`, { headers: { 'x-api-key': API_KEY } })).status).toBe(200);
  });

  it('is not part of the OpenAPI document', async () => {
    const document = (await (await fetch(`${running().baseUrl}/api/docs-json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(document.paths).some((path) => path === '/' || path.startsWith('/console'))).toBe(false);
  });
});
