// A real OpenID Connect provider for the hub's tests: the npm package oidc-provider,
// with a small login page of its own. Started by the fixture in conftest.py with the path
// of a JSON file: {"clients": [...], "accounts": {"<login>": {claims, amr, acr, disabled}}}.
// It listens on a free port of 127.0.0.1 and prints "listening <issuer>" once ready.
//
// One test hook, POST /_test/tamper {"next": "aud" | "exp"}: the next token response's
// ID token is signed again with the provider's own key after its audience is changed or
// its expiry put in the past, as a confused or slow provider would send it.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';

import Provider from 'oidc-provider';
import { SignJWT, decodeJwt, importJWK } from 'jose';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key', alg: 'RS256', use: 'sig' };
const signingKey = await importJWK(jwk, 'RS256');

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const readForm = async (req) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
};

const server = createServer();
await new Promise((resolve) => { server.listen(0, '127.0.0.1', resolve); });
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: config.clients.map((c) => ({
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
    ...c,
  })),
  async findAccount(ctx, sub) {
    const account = config.accounts[sub];
    if (!account || account.disabled) return undefined;
    return { accountId: sub, async claims() { return { sub, ...account.claims }; } };
  },
  // As Entra ID and most providers do: the scope's claims, and amr and acr, in the ID token.
  claims: {
    openid: ['sub', 'amr', 'acr'], email: ['email', 'email_verified'], profile: ['name'],
  },
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: false } },
  interactions: { url(ctx, interaction) { return `/interaction/${interaction.uid}`; } },
  pkce: { required: () => true },
  jwks: { keys: [jwk] },
  cookies: { keys: ['a cookie key for the tests only'] },
  ttl: { IdToken: 300, AccessToken: 300, AuthorizationCode: 60, Interaction: 600, Session: 600, Grant: 600 },
});

let tamper = null;

provider.use(async (ctx, next) => {
  if (ctx.path === '/_test/tamper' && ctx.method === 'POST') {
    const form = await readForm(ctx.req);
    tamper = form.get('next');
    ctx.body = { tamper };
    return;
  }
  if (ctx.path.startsWith('/interaction/')) {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if (ctx.method === 'GET') {
      ctx.type = 'html';
      ctx.body = `<!doctype html><html lang="en"><head><title>Test identity provider</title></head>
<body><h1>Test identity provider: sign in</h1>
<form method="post" action="/interaction/${escape(details.uid)}">
<label for="login">Account</label> <input id="login" name="login" autocomplete="off">
<button type="submit">Continue</button></form></body></html>`;
      return;
    }
    const login = (await readForm(ctx.req)).get('login') || '';
    const account = config.accounts[login];
    let result;
    if (!account || account.disabled) {
      result = { error: 'access_denied', error_description: 'The account is unknown or disabled.' };
    } else {
      const grant = new provider.Grant({ accountId: login, clientId: details.params.client_id });
      grant.addOIDCScope(details.params.scope);
      result = {
        login: { accountId: login, amr: account.amr, acr: account.acr, remember: false },
        consent: { grantId: await grant.save() },
      };
    }
    await provider.interactionFinished(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
    ctx.respond = false;
    return;
  }
  await next();
  if (ctx.path === '/token' && tamper && ctx.body && ctx.body.id_token) {
    const claims = decodeJwt(ctx.body.id_token);
    const now = Math.floor(Date.now() / 1000);
    if (tamper === 'aud') claims.aud = 'another-application';
    if (tamper === 'exp') { claims.iat = now - 600; claims.exp = now - 300; }
    tamper = null;
    ctx.body = {
      ...ctx.body,
      id_token: await new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: 'test-key', typ: 'JWT' })
        .sign(signingKey),
    };
  }
});

server.on('request', provider.callback());
process.stdout.write(`listening ${issuer}\n`);
process.on('SIGTERM', () => { server.close(); process.exit(0); });
