#!/usr/bin/env node
// mkcorpus.mjs KIND N FRAMING [OUT|-] — writes N syslog messages (~200-230 bytes each) to OUT.
//   KIND:    3164  RFC 3164 line with loggen's default body (loggen's own header has an ISO stamp that rsyslog's
//                 3164 parser does not take), 200 bytes
//            5424  realistic RFC 5424 line with two SD elements
//            cee   RFC 3164 header + "@cee: {json}" payload
//   FRAMING: lf (line + "\n"), octet (RFC 6587 "LEN MSG"), relp (RELP open + "N syslog LEN MSG\n" ... + close)
// Used by compare.sh (SENDER=replay: the corpus is replayed by socat). Copied from the shared baseline kit.
import fs from 'node:fs';

const [kind = '3164', nStr = '1000', framing = 'lf', outPath = '-'] = process.argv.slice(2);
const n = Number(nStr);
const pad = (i, w) => String(i).padStart(w, '0');

function line(i) {
  switch (kind) {
    case '3164': {
      const head = `<38>Nov 21 18:36:42 localhost prg00000[1234]: seq: ${pad(i, 10)}, thread: 0000, runid: 1795286202, stamp: 2026-11-21T18:36:42 `;
      return head + 'PADD'.repeat(50).slice(0, 199 - head.length);
    }
    case '5424':
      return `<165>1 2026-11-21T18:36:42.${pad(i % 1e6, 6)}+01:00 web-07.example.com nginx 4711 ACCESS ` +
        `[meta@32473 seq="${i}" region="eu-west-1"][req@32473 method="GET" status="200" bytes="${5000 + (i % 997)}"] ` +
        `GET /api/v1/items?id=${i} HTTP/1.1 200 "-" "curl/8.4.0" rt=0.012`;
    case 'cee':
      return `<14>Nov 21 18:36:42 web-07 checkout[4711]: @cee: {"seq":${i},"level":"info","svc":"checkout",` +
        `"msg":"order placed","order_id":"A-${pad(i, 8)}","amount":42.5,"user":{"id":${i % 9973},"tier":"gold"},"tags":["web","eu"]}`;
    default:
      throw new Error(`unknown kind ${kind}`);
  }
}

const out = outPath === '-' ? 1 : fs.openSync(outPath, 'w');
let buf = [];
let txnr = 1;
const flush = () => { fs.writeSync(out, buf.join('')); buf = []; };
if (framing === 'relp') {
  const offer = 'relp_version=0\nrelp_software=mkcorpus\ncommands=syslog';
  buf.push(`${txnr++} open ${Buffer.byteLength(offer)} ${offer}\n`);
}
for (let i = 0; i < n; i++) {
  const m = line(i);
  const len = Buffer.byteLength(m);
  if (framing === 'lf') buf.push(m + '\n');
  else if (framing === 'octet') buf.push(`${len} ${m}`);
  else if (framing === 'relp') buf.push(`${txnr++} syslog ${len} ${m}\n`);
  else throw new Error(`unknown framing ${framing}`);
  if (buf.length >= 10000) flush();
}
if (framing === 'relp') buf.push(`${txnr++} close 0\n`);
flush();
if (out !== 1) fs.closeSync(out);
