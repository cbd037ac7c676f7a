/**
 * Authorization stage: `authorize` (src/auth/index.ts, DESIGN §6) against an AppRegistry of
 * {@link APPS} apps (each with a UUID token and one /24 of allowedSources), ns per message.
 *
 * Four cases, each {@link DISTINCT} parsed messages (parsed in setup, untimed) addressed to
 * apps drawn at random:
 *   - tag:    RFC 3164 line whose TAG is the token (rule 2; also scrubs the token from MSG);
 *   - inline: RFC 3164 line whose MSG starts with the token (rule 3, Logentries style);
 *   - cee:    `@cee:` line whose JSON carries `"logsene-app-token"` first (rule 1; deletes it);
 *   - ip:     RFC 3164 line with no token, from one of 500 sender addresses inside the apps'
 *             allowedSources (rule 5: every token rule misses first, then the per-address LRU,
 *             which after warm-up always hits — as in production, where few senders send most).
 * `authorize` mutates the message (strips the token); the untimed `beforeEach` restores the
 * next batch (a field store per message; for cee a shallow copy of the parsed object, so each
 * call deletes from a fresh fast-mode object as JSON.parse would hand it over).
 */
import { authorize } from '../../../src/auth/index.js';
import { AppRegistry } from '../../../src/auth/registry.js';
import { DEFAULT_AUTH, type AppConfig } from '../../../src/config/schema.js';
import { parseMessage, type ParsedMessage } from '../../../src/parse/index.js';
import type { FrameSource, TokenSource } from '../../../src/record.js';
import { BATCH, DISTINCT, NOW_MS, line3164, lineCee, pick, prng, uuid } from '../corpus.js';
import { expect, sink, type Stage, type StageRun } from '../stage.js';

/** Apps in the registry. */
export const APPS = 100;
/** Distinct sender addresses in the `ip` case. */
const IP_SENDERS = 500;
/** Distinct connections (FrameSources) the token cases arrive on. */
const TOKEN_SENDERS = 64;

export interface AuthFixture {
  registry: AppRegistry;
  apps: AppConfig[];
  tokenFields: readonly string[];
}

/** The registry every auth (and record) stage uses: app-000…app-099, token + 198.18.K.0/24 each. */
export function authFixture(): AuthFixture {
  const rnd = prng(0xa995);
  const apps: AppConfig[] = [];
  for (let k = 0; k < APPS; k++) {
    apps.push({
      name: `app-${String(k).padStart(3, '0')}`,
      token: uuid(rnd),
      allowedSources: [`198.18.${k}.0/24`], // RFC 2544 benchmarking range; never contacted
      certFingerprints: [],
      certSubjects: [],
      maxEventsPerSecond: null,
      burstEvents: null,
      maxBytesPerDay: null,
    });
  }
  return { registry: new AppRegistry(apps), apps, tokenFields: DEFAULT_AUTH.tokenFields };
}

/** A FrameSource as a TCP front-end makes one per connection. */
export function frameSource(address: string, port: number): FrameSource {
  return { record: { address, port, transport: 'tcp' }, certFingerprint: null };
}

type Case = 'tag' | 'inline' | 'cee' | 'ip';
const EXPECTED: Record<Case, TokenSource> = { tag: 'tag', inline: 'inline', cee: 'cee', ip: 'ip' };

function authStage(c: Case, describe: string): Stage {
  const name = `auth/${c}`;
  return {
    name,
    msgsPerCall: BATCH,
    describe,
    setup(): StageRun {
      const { registry, apps, tokenFields } = authFixture();
      const rnd = prng();
      const tokenSources = Array.from({ length: TOKEN_SENDERS }, (_, k) => frameSource(`192.0.2.${1 + k}`, 40000 + k));
      const ipSources = Array.from({ length: IP_SENDERS }, () => {
        const app = pick(rnd, APPS);
        return { app, source: frameSource(`198.18.${app}.${1 + pick(rnd, 254)}`, 40000 + pick(rnd, 20000)) };
      });
      const msgs: ParsedMessage[] = [];
      const sources: FrameSource[] = [];
      const wantApp: string[] = [];
      const origAppName: (string | null)[] = [];
      const origMessage: (string | null)[] = [];
      const origCee: (Record<string, unknown> | null)[] = [];
      for (let i = 0; i < DISTINCT; i++) {
        let line: string;
        let app: number;
        if (c === 'ip') {
          const s = ipSources[pick(rnd, IP_SENDERS)];
          app = s.app;
          sources.push(s.source);
          line = line3164(i, rnd);
        } else {
          app = pick(rnd, APPS);
          sources.push(tokenSources[pick(rnd, TOKEN_SENDERS)]);
          const token = apps[app].token!;
          line = c === 'tag' ? line3164(i, rnd, { tag: token })
            : c === 'inline' ? line3164(i, rnd, { inlineToken: token })
              : lineCee(i, rnd, { ceeToken: token });
        }
        const b = Buffer.from(line);
        const pm = parseMessage(b, 0, b.length, NOW_MS);
        msgs.push(pm);
        wantApp.push(apps[app].name);
        origAppName.push(pm.appName);
        origMessage.push(pm.message);
        origCee.push(pm.cee === null ? null : { ...pm.cee });
      }
      const restore = (k: number): void => {
        const pm = msgs[k];
        pm.appName = origAppName[k];
        pm.message = origMessage[k];
        const cee = origCee[k];
        if (cee !== null) pm.cee = { ...cee };
      };
      let at = 0;
      const tokenSource = EXPECTED[c];
      return {
        beforeEach() {
          if (c === 'ip') return; // nothing to undo: every token rule missed, nothing was stripped
          for (let k = at; k < at + BATCH; k++) restore(k);
        },
        fn() {
          let n = 0;
          const stop = at + BATCH;
          for (let k = at; k < stop; k++) {
            const a = authorize(msgs[k], sources[k], registry, tokenFields);
            if (a !== null) n++;
          }
          at = stop === DISTINCT ? 0 : stop;
          sink.n += n;
        },
        verify() {
          for (let k = 0; k < DISTINCT; k++) {
            restore(k);
            const a = authorize(msgs[k], sources[k], registry, tokenFields);
            expect(a !== null, name, `message ${k} not authorized`);
            expect(a!.tokenSource === tokenSource && a!.app === wantApp[k], name,
              `message ${k}: ${a!.app} by ${a!.tokenSource}, expected ${wantApp[k]} by ${tokenSource}`);
            const pm = msgs[k];
            const token = c === 'ip' ? null : apps.find((x) => x.name === wantApp[k])!.token!;
            if (token !== null) {
              // (for cee, pm.message is the raw JSON text; records take `message` from the CEE object)
              if (c === 'cee') expect(!('logsene-app-token' in pm.cee!), name, `message ${k}: CEE token field kept`);
              else expect(pm.appName !== token && !(pm.message ?? '').includes(token), name, `message ${k}: token not stripped`);
            }
            restore(k);
          }
        },
      };
    },
  };
}

export const stages: Stage[] = [
  authStage('tag', 'RFC 3164 line whose TAG is the app token'),
  authStage('inline', 'RFC 3164 line whose MSG starts with the app token'),
  authStage('cee', '`@cee:` line with "logsene-app-token" as first JSON field'),
  authStage('ip', 'RFC 3164 line without token, sender address in one app\'s allowedSources'),
];
