// Drives a Cleanroom server with the official AWS SDK for JavaScript v3 and checks what comes back.
// Environment: CLEANROOM_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY. Run by JsSdkIT.
import {
  CleanRoomsClient, CreateCollaborationCommand, GetCollaborationCommand, ListCollaborationsCommand,
  UpdateCollaborationCommand, TagResourceCommand, ListTagsForResourceCommand, DeleteCollaborationCommand,
} from '@aws-sdk/client-cleanrooms';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';

const client = new CleanRoomsClient({
  endpoint: process.env.CLEANROOM_ENDPOINT,
  region: 'us-east-1',
  maxAttempts: 1,
});

// sends X-Amz-Target: CloudTrail_20131101.LookupEvents (the Java SDK sends the long form)
const trail = new CloudTrailClient({
  endpoint: process.env.CLEANROOM_ENDPOINT,
  region: 'us-east-1',
  maxAttempts: 1,
});

const checks = [];
function check(name, ok, detail) {
  checks.push({ name, ok: Boolean(ok), detail });
}

async function expectError(name, promise, errorName, status) {
  try {
    await promise;
    check(name, false, 'no error');
  } catch (e) {
    check(name, e.name === errorName && e.$metadata?.httpStatusCode === status
      && typeof e.message === 'string' && e.message.length > 0, `${e.name} ${e.$metadata?.httpStatusCode}: ${e.message}`);
  }
}

try {
  const created = await client.send(new CreateCollaborationCommand({
    name: 'js-sdk', description: 'from the JavaScript SDK', members: [], creatorMemberAbilities: [],
    creatorDisplayName: 'js', queryLogStatus: 'DISABLED',
  }));
  const c = created.collaboration;
  check('create', c && c.id && c.arn && c.createTime instanceof Date && c.memberStatus === 'INVITED',
    JSON.stringify({ id: c?.id, memberStatus: c?.memberStatus }));

  const got = (await client.send(new GetCollaborationCommand({ collaborationIdentifier: c.id }))).collaboration;
  check('get', got.name === 'js-sdk' && got.description === 'from the JavaScript SDK'
    && got.creatorAccountId === c.creatorAccountId, got.name);

  const listed = await client.send(new ListCollaborationsCommand({ maxResults: 50 }));
  check('list', listed.collaborationList.some((s) => s.id === c.id), `${listed.collaborationList.length} listed`);

  await client.send(new TagResourceCommand({ resourceArn: c.arn, tags: { team: 'growth' } }));
  const tags = await client.send(new ListTagsForResourceCommand({ resourceArn: c.arn }));
  check('tags', tags.tags?.team === 'growth', JSON.stringify(tags.tags));

  await expectError('validation', client.send(new UpdateCollaborationCommand({
    collaborationIdentifier: c.id, name: 'n'.repeat(101),
  })), 'ValidationException', 400);
  await expectError('not found', client.send(new GetCollaborationCommand({
    collaborationIdentifier: '00000000-0000-0000-0000-000000000000',
  })), 'ResourceNotFoundException', 404);

  // the audit trail: this account's own call, in full
  const looked = await trail.send(new LookupEventsCommand({
    LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateCollaboration' }],
  }));
  const mine = (looked.Events ?? [])
    .filter((e) => JSON.parse(e.CloudTrailEvent).requestParameters?.includes('"js-sdk"'));
  const event = mine[0];
  const detail = event ? JSON.parse(event.CloudTrailEvent) : {};
  check('lookup', mine.length === 1 && event.EventName === 'CreateCollaboration'
    && event.Username === c.creatorAccountId && event.AccessKeyId === process.env.AWS_ACCESS_KEY_ID
    && event.ReadOnly === 'false' && event.EventTime instanceof Date && event.EventSource === 'cleanrooms.amazonaws.com'
    && detail.accountId === c.creatorAccountId && detail.errorCode === null,
  JSON.stringify({ found: mine.length, name: event?.EventName, user: event?.Username, time: event?.EventTime }));

  const first = await trail.send(new LookupEventsCommand({ MaxResults: 1 }));
  const second = await trail.send(new LookupEventsCommand({ MaxResults: 1, NextToken: first.NextToken }));
  check('lookup paging', first.Events.length === 1 && typeof first.NextToken === 'string'
    && second.Events.length === 1 && second.Events[0].EventId !== first.Events[0].EventId
    && second.Events[0].EventTime <= first.Events[0].EventTime,
  JSON.stringify({ first: first.Events.length, token: typeof first.NextToken, second: second.Events.length }));

  await expectError('lookup bad token', trail.send(new LookupEventsCommand({ NextToken: 'forged' })),
    'InvalidNextTokenException', 400);

  await client.send(new DeleteCollaborationCommand({ collaborationIdentifier: c.id }));
  await expectError('deleted', client.send(new GetCollaborationCommand({ collaborationIdentifier: c.id })),
    'ResourceNotFoundException', 404);

  const bad = new CleanRoomsClient({
    endpoint: process.env.CLEANROOM_ENDPOINT, region: 'us-east-1', maxAttempts: 1,
    credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: 'wrong' },
  });
  await expectError('bad signature', bad.send(new ListCollaborationsCommand({})), 'AccessDeniedException', 403);
} catch (e) {
  check('unexpected error', false, `${e.name}: ${e.message}`);
}

console.log(JSON.stringify(checks));
process.exit(checks.every((c) => c.ok) ? 0 : 1);
