// jirajs.mjs: zek's REST API driven by npm's jira.js 5 (ServiceDeskClient),
// the way an integrator would use it, against a `zek serve` of its own.
// usage: node tests/clients/jirajs.mjs PATH/TO/zek
// ZEK_E2E_BACKEND=pg (with ZEK_TEST_PG) runs it on PostgreSQL (server.mjs);
// without ZEK_TEST_PG that skips (77).
// Prints 'N passed, N failed' last.
import '../node/check.mjs';
import assert from 'node:assert/strict';
import { ServiceDeskClient } from 'jira.js';
import { BACKEND, Browser, skipReason, startServer, tokenFromProfile } from './server.mjs';

const binary = process.argv[2];
let passed = 0;
let failed = 0;

async function check(name, fn) {
  try {
    await fn();
    passed += 1;
    console.log(`ok   ${name}`);
  } catch (e) {
    failed += 1;
    console.log(`FAIL ${name}\n${e.stack || e}`);
    if (e.response?.data) console.log(JSON.stringify(e.response.data));
  }
}

// A value for a required field, chosen from what the field metadata says.
function valueFor(field) {
  const type = field.jiraSchema.type;
  if (field.validValues.length > 0) {
    const first = field.validValues[0].value;
    return type === 'array' ? [{ id: first }] : { id: first };
  }
  if (type === 'datetime') return '2026-05-04T09:30:00.000+0200';
  return `${field.name} über jira.js`;
}

async function main() {
  const server = await startServer(binary);
  let stopped = null;
  try {
    await exercise(server);
  } finally {
    stopped = await server.stop();
  }
  await check('server stopped cleanly', async () => {
    assert.deepEqual(stopped.problems, []);
    assert.ok(stopped.code === 0 || stopped.signal === 'SIGTERM', stopped.log.slice(-3000));
  });
}

// Every case against one server.
async function exercise(server) {
  const anna = await tokenFromProfile(server.base, 'anna@example.org');
  const ben = await tokenFromProfile(server.base, 'ben@example.org');
  // A personal access token as OAuth 2.0 bearer (how jira.js sends PATs),
  // and HTTP Basic with e-mail and token.
  const client = new ServiceDeskClient({ host: server.base, authentication: { oauth2: { accessToken: anna } } });
  const basic = new ServiceDeskClient({ host: server.base,
    authentication: { basic: { email: 'ben@example.org', apiToken: ben } } });
  const created = [];

  await check('info and service desks', async () => {
    const info = await client.info.getInfo();
    assert.equal(info.isLicensedForUse, true);
    const desks = await client.serviceDesk.getServiceDesks();
    assert.equal(desks.values[0].projectKey, 'ZEK');
    const desk = await client.serviceDesk.getServiceDeskById({ serviceDeskId: '1' });
    assert.equal(desk.id, '1');
  });

  await check('create a request of every type', async () => {
    const types = await client.serviceDesk.getRequestTypes({ serviceDeskId: '1' });
    assert.equal(types.values.length, 4);
    for (const t of types.values) {
      const meta = await client.serviceDesk.getRequestTypeFields({ serviceDeskId: '1', requestTypeId: t.id });
      const values = {};
      for (const f of meta.requestTypeFields) if (f.required) values[f.fieldId] = valueFor(f);
      const r = await client.request.createCustomerRequest({ serviceDeskId: '1', requestTypeId: t.id,
        requestFieldValues: values });
      assert.match(r.issueKey, /^ZEK-\d+$/);
      assert.equal(r.requestTypeId, t.id);
      assert.equal(r.currentStatus.status, 'Offen');
      assert.equal(r.reporter.emailAddress, 'anna@example.org');
      created.push(r.issueKey);
    }
  });

  await check('create with an attachment, on behalf of a colleague, with participants', async () => {
    const up = await client.serviceDesk.attachTemporaryFile({ serviceDeskId: '1',
      attachment: { filename: 'protokoll.txt', file: Buffer.from('Fehler um 10:31\n') } });
    const tmp = up.temporaryAttachments[0];
    assert.equal(tmp.fileName, 'protokoll.txt');
    const r = await client.request.createCustomerRequest({ serviceDeskId: '1', requestTypeId: '1',
      requestFieldValues: { summary: 'Mit Anhang', description: 'Siehe *Protokoll*',
        bundesland: { value: 'Bremen' }, attachment: [tmp.temporaryAttachmentId] },
      raiseOnBehalfOf: 'ben@example.org', requestParticipants: ['anna@example.org'] });
    assert.equal(r.reporter.displayName, 'Ben Weber');
    const files = await client.request.getAttachmentsForRequest({ issueIdOrKey: r.issueKey });
    assert.deepEqual(files.values.map((f) => f.filename), ['protokoll.txt']);
    // Ben sees it with his own Basic credentials.
    const mine = await basic.request.getCustomerRequestByIdOrKey({ issueIdOrKey: r.issueKey });
    assert.equal(mine.reporter.emailAddress, 'ben@example.org');
  });

  await check('a refused request is an HttpException with the reason', async () => {
    await assert.rejects(client.request.createCustomerRequest({ serviceDeskId: '1', requestTypeId: '4',
      requestFieldValues: { summary: 'Ohne Beschreibung' } }), (e) => {
      assert.equal(e.status, 400);
      assert.match(e.response.data.errorMessage, /description/);
      assert.ok(e.response.data.errors.description);
      return true;
    });
  });

  await check('list and read requests', async () => {
    const page = await client.request.getCustomerRequests({ requestStatus: 'OPEN_REQUESTS', limit: 3 });
    assert.equal(page.size, 3);
    assert.equal(page.isLastPage, false);
    assert.ok(page.values.every((r) => r.currentStatus.statusCategory !== 'DONE'));
    const all = await client.request.getCustomerRequests({ limit: 100 });
    for (const key of created) assert.ok(all.values.some((r) => r.issueKey === key), key);
    const found = await client.request.getCustomerRequests({ searchTerm: 'Anhang' });
    assert.ok(found.values.some((r) => r.requestFieldValues.some((f) => f.value === 'Mit Anhang')));
    const typed = await client.request.getCustomerRequests({ serviceDeskId: '1', requestTypeId: '2', limit: 100 });
    assert.ok(typed.values.every((r) => r.requestTypeId === '2'));
    const one = await client.request.getCustomerRequestByIdOrKey({ issueIdOrKey: created[0],
      expand: ['participant', 'status', 'requestType'] });
    assert.equal(one.issueKey, created[0]);
    assert.equal(one.requestType.id, one.requestTypeId);
    assert.deepEqual(one.status.values.map((s) => s.status), ['Offen']);
    const history = await client.request.getCustomerRequestStatus({ issueIdOrKey: created[0] });
    assert.equal(history.values[0].statusCategory, 'NEW');
  });

  await check('comment', async () => {
    const c = await client.request.createRequestComment({ issueIdOrKey: created[0],
      body: 'Kommentar über **jira.js**', public: true });
    assert.equal(c.public, true);
    const list = await client.request.getRequestComments({ issueIdOrKey: created[0] });
    assert.deepEqual(list.values.map((x) => x.id), [c.id]);
    const one = await client.request.getRequestCommentById({ issueIdOrKey: created[0], commentId: c.id,
      expand: ['renderedBody'] });
    assert.match(one.renderedBody.html, /<strong>jira\.js<\/strong>/);
    await assert.rejects(client.request.createRequestComment({ issueIdOrKey: created[0],
      body: 'intern', public: false }), (e) => e.status === 400);
  });

  await check('add and remove a participant', async () => {
    const added = await client.request.addRequestParticipants({ issueIdOrKey: created[1],
      usernames: ['ben@example.org'] });
    assert.deepEqual(added.values.map((p) => p.displayName), ['Ben Weber']);
    const seen = await basic.request.getCustomerRequestByIdOrKey({ issueIdOrKey: created[1] });
    assert.equal(seen.issueKey, created[1]);
    const list = await client.request.getRequestParticipants({ issueIdOrKey: created[1] });
    assert.equal(list.size, 1);
    const left = await client.request.removeRequestParticipants({ issueIdOrKey: created[1],
      accountIds: [list.values[0].accountId] });
    assert.equal(left.size, 0);
    await assert.rejects(basic.request.getCustomerRequestByIdOrKey({ issueIdOrKey: created[1] }),
      (e) => e.status === 404);
  });

  await check('organisations and customers by staff', async () => {
    const sam = new ServiceDeskClient({ host: server.base,
      authentication: { oauth2: { accessToken: await tokenFromProfile(server.base, 'support@example.org') } } });
    const org = await sam.organization.createOrganization({ name: 'jira.js Amt' });
    assert.equal(org.name, 'jira.js Amt');
    assert.equal((await sam.organization.getOrganization({ organizationId: org.id })).name, 'jira.js Amt');
    const all = await sam.organization.getOrganizations({});
    assert.ok(all.values.some((o) => o.id === org.id));
    const c = await sam.customer.createCustomer({ email: 'js.kunde@example.org', displayName: 'JS Kunde' });
    await sam.organization.addUsersToOrganization({ organizationId: org.id, accountIds: [c.accountId] });
    const users = await sam.organization.getUsersInOrganization({ organizationId: org.id });
    assert.deepEqual(users.values.map((u) => u.emailAddress), ['js.kunde@example.org']);
    await sam.organization.removeUsersFromOrganization({ organizationId: org.id, accountIds: [c.accountId] });
    assert.equal((await sam.organization.getUsersInOrganization({ organizationId: org.id })).size, 0);
    const deskOrgs = await sam.organization.getServiceDeskOrganizations({ serviceDeskId: '1' });
    assert.ok(deskOrgs.values.some((o) => o.id === org.id));
    await sam.organization.addOrganization({ serviceDeskId: '1', organizationId: Number(org.id) });
    const customers = await sam.serviceDesk.getCustomers({ serviceDeskId: '1', query: 'js.kunde' });
    assert.equal(customers.values[0].displayName, 'JS Kunde');
    // Pages of everybody: the second of one each, and the last one.
    const second = await sam.serviceDesk.getCustomers({ serviceDeskId: '1', start: 1, limit: 1 });
    assert.equal(second.size, 1);
    assert.equal(second.isLastPage, false);
    const everybody = await sam.serviceDesk.getCustomers({ serviceDeskId: '1', limit: 100 });
    const last = await sam.serviceDesk.getCustomers({ serviceDeskId: '1', start: everybody.size - 1, limit: 1 });
    assert.equal(last.isLastPage, true);
    assert.equal(last.values[0].accountId, everybody.values[everybody.size - 1].accountId);
    assert.equal(second.values[0].accountId, everybody.values[1].accountId);
    await sam.organization.deleteOrganization({ organizationId: org.id });
    await assert.rejects(sam.organization.getOrganization({ organizationId: org.id }),
      (e) => e.status === 404 || e.response?.status === 404 || /404/.test(String(e)));
    // Customers are refused.
    await assert.rejects(client.organization.getOrganizations({}),
      (e) => e.status === 403 || e.response?.status === 403 || /403/.test(String(e)));
  });

  await check('transitions: withdraw, accept a solution', async () => {
    const t = await client.request.getCustomerTransitions({ issueIdOrKey: created[2] });
    assert.deepEqual(t.values.map((x) => x.name), ['Anfrage zurückziehen']);
    await client.request.performCustomerTransition({ issueIdOrKey: created[2], id: t.values[0].id,
      additionalComment: { body: 'Nicht mehr nötig.' } });
    const r = await client.request.getCustomerRequestByIdOrKey({ issueIdOrKey: created[2] });
    assert.equal(r.currentStatus.status, 'Geschlossen');
    assert.equal(r.currentStatus.statusCategory, 'DONE');
    // ZEK-19 (demo data): a solution waits for Anna.
    const offered = await client.request.getCustomerTransitions({ issueIdOrKey: 'ZEK-19' });
    const accept = offered.values.find((x) => x.name === 'Lösung annehmen');
    assert.ok(offered.values.find((x) => x.name === 'Lösung ablehnen'));
    await client.request.performCustomerTransition({ issueIdOrKey: 'ZEK-19', id: accept.id });
    const closed = await client.request.getCustomerRequestByIdOrKey({ issueIdOrKey: 'ZEK-19' });
    assert.equal(closed.currentStatus.status, 'Geschlossen');
    await assert.rejects(client.request.performCustomerTransition({ issueIdOrKey: 'ZEK-19', id: accept.id }),
      (e) => e.status === 409);
  });

  await check('toggle notifications', async () => {
    const key = created[3];
    assert.deepEqual(await client.request.getSubscriptionStatus({ issueIdOrKey: key }), { subscribed: true });
    await client.request.unsubscribe({ issueIdOrKey: key });
    assert.deepEqual(await client.request.getSubscriptionStatus({ issueIdOrKey: key }), { subscribed: false });
    await client.request.subscribe({ issueIdOrKey: key });
    assert.deepEqual(await client.request.getSubscriptionStatus({ issueIdOrKey: key }), { subscribed: true });
  });

  await check('a field an admin adds is seen and filled', async () => {
    // The admin adds a required select in the browser's form ...
    const admin = new Browser(server.base);
    assert.equal((await admin.postForm('/servicedesk/customer/user/login',
      { email: 'admin@example.org', password: 'demo' })).status, 303);
    const page = await admin.request('/servicedesk/admin/types/4');
    const version = /name="version" value="(\d+)"/.exec(page.text)[1];
    const added = await admin.postForm('/servicedesk/admin/types/4/fields', { version, kind: 'select',
      label_de: 'Dringlichkeit', label_en: 'Urgency', options: 'Hoch | High\nNiedrig | Low', required: 'on' });
    assert.equal(added.status, 303);
    // ... and jira.js sees it at once and fills it from the metadata.
    const meta = await client.serviceDesk.getRequestTypeFields({ serviceDeskId: '1', requestTypeId: '4' });
    const urgency = meta.requestTypeFields.find((f) => f.fieldId === 'dringlichkeit');
    assert.ok(urgency && urgency.required);
    assert.deepEqual(urgency.validValues.map((v) => v.value), ['hoch', 'niedrig']);
    const values = {};
    for (const f of meta.requestTypeFields) if (f.required) values[f.fieldId] = valueFor(f);
    const r = await client.request.createCustomerRequest({ serviceDeskId: '1', requestTypeId: '4',
      requestFieldValues: values });
    const got = r.requestFieldValues.find((f) => f.fieldId === 'dringlichkeit');
    assert.ok(got && JSON.stringify(got).includes('Hoch'), JSON.stringify(r.requestFieldValues));
  });

  await check('attach files with a comment', async () => {
    const up = await client.serviceDesk.attachTemporaryFile({ serviceDeskId: '1',
      attachment: [{ filename: 'a.txt', file: Buffer.from('A\n') }, { filename: 'b.csv', file: Buffer.from('x,y\n1,2\n') }] });
    const ids = up.temporaryAttachments.map((t) => t.temporaryAttachmentId);
    const r = await client.request.createAttachment({ issueIdOrKey: created[3], temporaryAttachmentIds: ids,
      public: true, additionalComment: { body: 'Zwei Dateien' } });
    assert.equal(r.comment.body, 'Zwei Dateien');
    assert.deepEqual(r.attachments.values.map((a) => a.filename), ['a.txt', 'b.csv']);
    const files = await client.request.getAttachmentsForRequest({ issueIdOrKey: created[3] });
    assert.equal(files.size, 2);
  });
}

if (skipReason()) {
  console.log(`skip: ${skipReason()}`);
  process.exit(77);
}
console.log(`backend: ${BACKEND}`);
try {
  await main();
} catch (e) {
  failed += 1;
  console.log(`FAIL setup\n${e.stack || e}`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
