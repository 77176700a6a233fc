import { EC2ServiceException } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { fromAwsError, isAwsError } from '../../src/adapters/aws/aws-errors.js';
import {
  averageSnapshotProgress,
  imageIdOfSnapshotDescription,
  parseDeregistrationProtection,
  parseProgress,
  recordToTags,
  tagsToRecord,
  toImageInfo,
  toInstanceInfo,
} from '../../src/adapters/aws/ec2-mapping.js';
import { AppError } from '../../src/errors.js';

describe('ec2-mapping', () => {
  it('reads Image.DeregistrationProtection; a state it does not know counts as protected', () => {
    expect(parseDeregistrationProtection(undefined)).toEqual({ state: 'off' });
    expect(parseDeregistrationProtection('disabled')).toEqual({ state: 'off' });
    expect(parseDeregistrationProtection('enabled')).toEqual({ state: 'on', cooldown: false });
    expect(parseDeregistrationProtection('enabled-with-cooldown')).toEqual({ state: 'on', cooldown: true });
    expect(parseDeregistrationProtection('disabled-until 2026-09-02T10:00:00Z')).toEqual({
      state: 'cooling-down',
      until: new Date('2026-09-02T10:00:00Z'),
    });
    expect(parseDeregistrationProtection('something-new')).toEqual({ state: 'cooling-down' });
  });

  it('reads the image a snapshot was made for from the description CreateImage gives it', () => {
    expect(imageIdOfSnapshotDescription('Created by CreateImage(i-0abc) for ami-0123abcd')).toBe('ami-0123abcd');
    expect(imageIdOfSnapshotDescription('Created by CreateImage(i-0abc) for ami-0123abcd from vol-1')).toBe(
      'ami-0123abcd',
    );
    expect(imageIdOfSnapshotDescription('my backup of ami-0123abcd')).toBeUndefined();
    expect(imageIdOfSnapshotDescription(undefined)).toBeUndefined();
  });

  it('converts tags both ways; a missing value is an empty string', () => {
    expect(tagsToRecord([{ Key: 'Name', Value: 'x' }, { Key: 'empty' }, { Value: 'no key' }])).toEqual({
      Name: 'x',
      empty: '',
    });
    expect(tagsToRecord(undefined)).toEqual({});
    expect(recordToTags({ a: '1', b: '' })).toEqual([
      { Key: 'a', Value: '1' },
      { Key: 'b', Value: '' },
    ]);
  });

  it('treats unknown states as pending so callers wait instead of acting', () => {
    expect(toInstanceInfo({ InstanceId: 'i-1', State: { Name: 'weird' as never } }).state).toBe('pending');
    expect(toImageInfo({ ImageId: 'ami-1', State: 'weird' as never }).state).toBe('pending');
    expect(toImageInfo({ ImageId: 'ami-1', CreationDate: 'not a date' }).creationDate).toBeUndefined();
  });

  it('parses "NN%" progress and averages it', () => {
    expect(parseProgress('45%')).toBe(45);
    expect(parseProgress('100%')).toBe(100);
    expect(parseProgress('')).toBeUndefined();
    expect(parseProgress(undefined)).toBeUndefined();
    expect(averageSnapshotProgress([{ Progress: '10%' }, { Progress: '15%' }, {}])).toBe(13);
    expect(averageSnapshotProgress([])).toBeUndefined();
  });
});

describe('aws-errors', () => {
  const op = { api: 'ec2:DescribeInstances', what: 'find the executor template' };
  const sdkError = (name: string) => new EC2ServiceException({ name, $fault: 'client', $metadata: {}, message: 'm' });

  it('explains rejected credentials', () => {
    const error = fromAwsError(sdkError('AuthFailure'), op);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).message).toBe(
      "AWS rejected the bot's credentials while trying to find the executor template (AuthFailure). Check the role or keys the bot runs with.",
    );
  });

  it('leaves our own bugs and AppErrors alone', () => {
    const bug = new TypeError('x is undefined');
    expect(fromAwsError(bug, op)).toBe(bug);
    const ours = new AppError('mine', 'mine');
    expect(fromAwsError(ours, op)).toBe(ours);
  });

  it('recognizes AWS codes directly and through our AppError wrapper', () => {
    const raw = sdkError('InvalidAMIID.NotFound');
    expect(isAwsError(raw, 'InvalidAMIID.NotFound')).toBe(true);
    expect(isAwsError(fromAwsError(raw, op), 'InvalidAMIID.NotFound')).toBe(true);
    expect(isAwsError(new Error('x'), 'InvalidAMIID.NotFound')).toBe(false);
  });
});
