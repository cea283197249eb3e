// A real OpenID provider (the certified `oidc-provider` package) for the test suite, on
// loopback only. It is never deployed: it knows a few test users with groups, one test
// client, and a small /test/ control API the tests use to rotate signing keys, disable a
// user or change their groups, and sign hand-made tokens with the provider's own key.
//
//   node provider.js config.json      (prints "READY <issuer>" once it listens)
//
// config.json: {"port": 0, "clients": [{client_id, client_secret, redirect_uris,
//               post_logout_redirect_uris}], "users": {"alice": {...}}}
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';

import Provider from 'oidc-provider';

const config = JSON.parse(fs.readFileSync(process.argv[2] || 0, 'utf8'));

const DEFAULT_USERS = {
  alice: {
    password: 'alice-password-1',
    email: 'alice@example.test',
    name: 'Alice Compliance',
    groups: ['gov-compliance', 'credit-risk'],
  },
  bob: {
    password: 'bob-password-12',
    email: 'bob@example.test',
    name: 'Bob Admin',
    groups: ['gov-admins'],
  },
  carol: {
    password: 'carol-password-1',
    email: 'carol@example.test',
    name: 'Carol Scientist',
    groups: ['data-science', 'credit-risk'],
  },
  dave: {
    password: 'dave-password-12',
    email: 'dave@example.test',
    name: 'Dave Nobody',
    groups: ['canteen'],
  },
};
const users = structuredClone(config.users || DEFAULT_USERS);
for (const user of Object.values(users)) user.enabled = user.enabled ?? true;

function newKey() {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  return { ...jwk, kid: crypto.randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' };
}

// The first key signs; the others are still published so tokens they signed verify.
let keys = [newKey()];
const cookieKeys = [crypto.randomBytes(32).toString('hex')];
let idTokenTtl = 600;

const page = (title, body) => `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>${title}</title></head><body><main><h1>${title}</h1>${body}</main></body></html>`;

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function build(issuer) {
  const provider = new Provider(issuer, {
    clients: config.clients.map((c) => ({
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      require_auth_time: true,
      ...c,
    })),
    jwks: { keys },
    cookies: { keys: cookieKeys },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username'],
      groups: ['groups'],
    },
    // ID tokens carry the scopes' claims too, so a refreshed ID token shows current groups.
    conformIdTokenClaims: false,
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.body = page(
            'Sign out',
            `${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Yes, sign me out</button>`,
          );
        },
      },
      introspection: { enabled: true },
    },
    // Refresh tokens outlive the browser session, as `offline_access` does at a real
    // provider: the relying party uses them to ask "is this person still active?".
    issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
    expiresWithSession: async () => false,
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      IdToken: () => idTokenTtl,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
      RefreshToken: 3600,
    },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = page('Error', `<pre>${escape(JSON.stringify(out))}</pre>`);
    },
    findAccount: async (ctx, sub) => {
      const user = users[sub];
      if (!user || !user.enabled) return undefined;
      return {
        accountId: sub,
        claims: async () => ({
          sub,
          email: user.email,
          email_verified: true,
          name: user.name,
          preferred_username: sub,
          groups: user.groups,
        }),
      };
    },
  });
  return provider;
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res, status, body, type = 'application/json') {
  res.statusCode = status;
  res.setHeader('Content-Type', type);
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

let provider;

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return send(res, 400, { error: 'interaction mismatch' });
  const { prompt, params } = details;
  if (prompt.name === 'login') {
    if (req.method === 'POST' && action === 'login') {
      const form = new URLSearchParams(await readBody(req));
      const username = form.get('username') || '';
      const user = users[username];
      if (!user || !user.enabled || user.password !== form.get('password')) {
        return send(
          res,
          200,
          page('Sign in to the test provider', `<p role="alert">Wrong username or password.</p>${loginForm(uid)}`),
          'text/html',
        );
      }
      return provider.interactionFinished(req, res, { login: { accountId: username } }, {
        mergeWithLastSubmission: false,
      });
    }
    return send(res, 200, page('Sign in to the test provider', loginForm(uid)), 'text/html');
  }
  // Consent: the test client is first-party; grant what it asked for.
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: details.session.accountId, clientId: params.client_id });
  if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
  if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
  const grantId = await grant.save();
  return provider.interactionFinished(req, res, { consent: { grantId } }, {
    mergeWithLastSubmission: true,
  });
}

function loginForm(uid) {
  return `<form method="post" action="/interaction/${uid}/login">
<label for="username">Username</label><input id="username" name="username" autocomplete="username">
<label for="password">Password</label><input id="password" name="password" type="password">
<button type="submit">Sign in</button></form>`;
}

async function control(req, res, path) {
  const body = req.method === 'POST' ? JSON.parse((await readBody(req)) || '{}') : {};
  if (path === '/test/rotate-keys') {
    keys = [newKey(), ...keys];
    provider = build(issuer);
    return send(res, 200, { kids: keys.map((k) => k.kid) });
  }
  if (path === '/test/retire-old-keys') {
    keys = keys.slice(0, 1);
    provider = build(issuer);
    return send(res, 200, { kids: keys.map((k) => k.kid) });
  }
  if (path === '/test/id-token-ttl') {
    idTokenTtl = body.seconds;
    return send(res, 200, { seconds: idTokenTtl });
  }
  if (path === '/test/sign') {
    // A token with the claims the test chose, signed with the provider's current key: lets
    // tests show that only the claims (expiry, audience, issuer) make the client refuse it.
    const key = crypto.createPrivateKey({ key: keys[0], format: 'jwk' });
    const header = { alg: 'RS256', kid: keys[0].kid, typ: 'JWT' };
    const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const input = `${b64(header)}.${b64(body.claims)}`;
    const signature = crypto.sign('sha256', Buffer.from(input), key).toString('base64url');
    return send(res, 200, { token: `${input}.${signature}` });
  }
  const match = path.match(/^\/test\/users\/([\w.-]+)$/);
  if (match && users[match[1]]) {
    Object.assign(users[match[1]], body);
    return send(res, 200, { ...users[match[1]], password: undefined });
  }
  return send(res, 404, { error: 'unknown control path' });
}

let issuer;
const server = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url, issuer);
    const parts = url.pathname.match(/^\/interaction\/([\w-]+)(?:\/(\w+))?$/);
    if (parts) return await interaction(req, res, parts[1], parts[2]);
    if (url.pathname.startsWith('/test/')) return await control(req, res, url.pathname);
    if (url.pathname === '/favicon.ico') return send(res, 204, '');
    return provider.callback()(req, res);
  } catch (err) {
    console.error(err);
    if (!res.headersSent) send(res, 500, { error: String(err) });
  }
});

server.listen(config.port || 0, '127.0.0.1', () => {
  issuer = `http://127.0.0.1:${server.address().port}`;
  provider = build(issuer);
  process.stdout.write(`READY ${issuer}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
