// Drives the Retell simulator with the official retell-sdk (pinned in package.json) through import, update, get,
// list and delete, and checks every reply against the SDK's published TypeScript shapes (PhoneNumberResponse,
// PhoneNumberListResponse) and error classes, with the statuses Retell's OpenAPI document lists (an unknown number
// is 422 UnprocessableEntityError). Then, with the SDK's own retries on, it retrieves a number whose first answer the
// test made a 429 with Retry-After: 1, and checks that the SDK waited and succeeded.
// Usage: node retell-conformance.mjs <baseURL>
// Prints one "ok <step>" line per step and "CONFORMANCE OK" at the end; exits 1 on the first mismatch.
// The API key comes from the RETELL_API_KEY environment variable so it never appears in a process listing.
import Retell from 'retell-sdk';

const baseURL = process.argv[2];
const apiKey = process.env.RETELL_API_KEY;
if (!baseURL || !apiKey) {
  console.error('usage: RETELL_API_KEY=... node retell-conformance.mjs <baseURL>');
  process.exit(2);
}
const client = new Retell({ apiKey, baseURL, maxRetries: 0, timeout: 10_000 });
const number = '+14155550199';

function fail(message) {
  throw new Error(message);
}

function check(condition, message) {
  if (!condition) fail(message);
}

const isNullableString = (v) => v === undefined || v === null || typeof v === 'string';
const isNullableStringArray = (v) => v === undefined || v === null || (Array.isArray(v) && v.every((s) => typeof s === 'string'));
const isAgentList = (v) => v === undefined || v === null || (Array.isArray(v) && v.every((a) =>
  a && typeof a.agent_id === 'string' && typeof a.weight === 'number'
  && (a.agent_version === undefined || ['string', 'number'].includes(typeof a.agent_version))));

// PhoneNumberResponse as declared in retell-sdk/resources/phone-number.d.ts
function checkPhoneNumberResponse(r, where) {
  check(r && typeof r === 'object', `${where}: not an object`);
  check(typeof r.phone_number === 'string', `${where}: phone_number`);
  check(['retell-twilio', 'retell-telnyx', 'custom'].includes(r.phone_number_type), `${where}: phone_number_type`);
  check(typeof r.last_modification_timestamp === 'number', `${where}: last_modification_timestamp`);
  check(r.area_code === undefined || typeof r.area_code === 'number', `${where}: area_code`);
  check(r.phone_number_pretty === undefined || typeof r.phone_number_pretty === 'string', `${where}: phone_number_pretty`);
  for (const f of ['nickname', 'inbound_webhook_url', 'fallback_number', 'inbound_sms_webhook_url']) {
    check(isNullableString(r[f]), `${where}: ${f}`);
  }
  for (const f of ['allowed_inbound_country_list', 'allowed_outbound_country_list']) {
    check(isNullableStringArray(r[f]), `${where}: ${f}`);
  }
  for (const f of ['inbound_agents', 'outbound_agents', 'inbound_sms_agents', 'outbound_sms_agents']) {
    check(isAgentList(r[f]), `${where}: ${f}`);
  }
  const sip = r.sip_outbound_trunk_config;
  check(sip === undefined || sip === null || (typeof sip === 'object'
    && isNullableString(sip.auth_username) && isNullableString(sip.termination_uri) && isNullableString(sip.transport)),
    `${where}: sip_outbound_trunk_config`);
  for (const key of Object.keys(r)) {
    check(!/password/i.test(key), `${where}: a password field is exposed (${key})`);
  }
  for (const key of Object.keys(sip ?? {})) {
    check(!/password/i.test(key), `${where}: a password field is exposed in sip_outbound_trunk_config`);
  }
}

async function expectError(promise, ErrorClass, status, where) {
  try {
    await promise;
  } catch (e) {
    check(e instanceof ErrorClass, `${where}: expected ${ErrorClass.name}, got ${e?.constructor?.name}`);
    check(e.status === status, `${where}: expected status ${status}, got ${e.status}`);
    check(typeof e.message === 'string' && e.message.length > 0, `${where}: error without message`);
    // Retell's error body: {"status": "error", "message": ...}
    check(e.error && e.error.status === 'error' && typeof e.error.message === 'string',
      `${where}: error body is not Retell's {"status":"error","message":...}`);
    return e;
  }
  fail(`${where}: expected ${ErrorClass.name}`);
}

async function main() {
  const imported = await client.phoneNumber.import({
    phone_number: number,
    termination_uri: 'acme-1.pstn.twilio.com',
    sip_trunk_auth_username: 'acme_user',
    sip_trunk_auth_password: process.env.SIP_PASSWORD,
    transport: 'TCP',
    nickname: 'conformance',
    inbound_agents: [{ agent_id: 'agent_1', weight: 1 }],
  });
  checkPhoneNumberResponse(imported, 'import');
  check(imported.phone_number === number, 'import: number');
  check(imported.phone_number_type === 'custom', 'import: type');
  check(imported.sip_outbound_trunk_config.auth_username === 'acme_user', 'import: username stored');
  check(imported.inbound_agents[0].agent_id === 'agent_1', 'import: agents');
  console.log('ok import');

  // What Retell answers to a duplicate import is not documented; the simulator uses import's one documented client
  // error, and Trunkline reads the number back instead of trusting either answer.
  await expectError(client.phoneNumber.import({ phone_number: number, termination_uri: 'x.pstn.twilio.com' }),
    Retell.BadRequestError, 400, 'import duplicate');
  console.log('ok import-duplicate');

  const updated = await client.phoneNumber.update(number, {
    auth_username: 'acme_user_2',
    auth_password: process.env.SIP_PASSWORD,
    termination_uri: 'acme-2.pstn.twilio.com',
    transport: 'TLS',
    nickname: null,
  });
  checkPhoneNumberResponse(updated, 'update');
  check(updated.sip_outbound_trunk_config.auth_username === 'acme_user_2', 'update: username');
  check(updated.sip_outbound_trunk_config.termination_uri === 'acme-2.pstn.twilio.com', 'update: termination_uri');
  check(updated.sip_outbound_trunk_config.transport === 'TLS', 'update: transport');
  check(updated.nickname === null, 'update: nickname cleared');
  console.log('ok update');

  const fetched = await client.phoneNumber.retrieve(number);
  checkPhoneNumberResponse(fetched, 'retrieve');
  check(JSON.stringify(fetched) === JSON.stringify(updated), 'retrieve: differs from the update reply');
  console.log('ok retrieve');

  await client.phoneNumber.import({ phone_number: '+14155550198', termination_uri: 'acme-2.pstn.twilio.com' });
  const page1 = await client.phoneNumber.list({ limit: 1, sort_order: 'ascending' });
  check(Array.isArray(page1.items) && page1.items.length === 1, 'list: items');
  check(page1.has_more === true && typeof page1.pagination_key === 'string', 'list: paging fields');
  page1.items.forEach((item, i) => checkPhoneNumberResponse(item, `list item ${i}`));
  const page2 = await client.phoneNumber.list({ limit: 1, sort_order: 'ascending', pagination_key: page1.pagination_key });
  check(page2.items.length === 1 && page2.has_more === false, 'list: second page');
  check(page2.items[0].phone_number === '+14155550198', 'list: order');
  console.log('ok list');

  const deleted = await client.phoneNumber.delete(number);
  check(deleted === undefined || deleted === null || deleted === '', 'delete: expected an empty reply');
  const unknown = await expectError(client.phoneNumber.retrieve(number), Retell.UnprocessableEntityError, 422,
    'retrieve after delete');
  check(unknown.error.message === 'Cannot find requested asset under given api key.', 'unknown number: message');
  await expectError(client.phoneNumber.update(number, { nickname: 'x' }), Retell.UnprocessableEntityError, 422,
    'update an unknown number');
  await expectError(client.phoneNumber.delete(number), Retell.UnprocessableEntityError, 422, 'delete an unknown number');
  console.log('ok delete');

  // The test armed one 429 (Retry-After: 1) for this number's first retrieve: the SDK retries it by itself.
  const retrying = new Retell({ apiKey, baseURL, maxRetries: 2, timeout: 10_000 });
  const started = Date.now();
  const afterRetry = await retrying.phoneNumber.retrieve('+14155550198');
  checkPhoneNumberResponse(afterRetry, 'retrieve after 429');
  const waited = Date.now() - started;
  check(waited >= 900, `retrieve after 429: the SDK did not honour Retry-After (answered after ${waited} ms)`);
  console.log('ok rate-limit-retry');

  const stranger = new Retell({ apiKey: '', baseURL, maxRetries: 0, timeout: 10_000, defaultHeaders: { Authorization: 'Bearer ' } });
  await expectError(stranger.phoneNumber.list(), Retell.AuthenticationError, 401, 'no key');
  console.log('ok auth');
  console.log('CONFORMANCE OK');
}

main().catch((e) => {
  console.error(`CONFORMANCE FAILED: ${e.message}`);
  process.exit(1);
});
