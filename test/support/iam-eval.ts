// A small, strict evaluator of identity-based IAM policies: enough to ask "would AWS allow this request?"
// for the operators and condition keys ami-bot's policy uses, and loud (it throws) on anything else, so a
// policy edit can never be judged by semantics this evaluator does not implement.
//
// Like AWS, a request naming several resources (CreateImage: the instance, the new image and its snapshots)
// is allowed only if every resource is allowed on its own, each with its own tags in the context.

export type ConditionBlock = Record<string, Record<string, string | string[]>>;

export interface IamStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: string | string[];
  Condition?: ConditionBlock;
}

export interface IamPolicy {
  Version: string;
  Statement: IamStatement[];
}

export interface RequestedResource {
  arn: string;
  /** The resource's existing tags (absent for resources the request creates). */
  tags?: Record<string, string>;
}

export interface IamRequest {
  action: string;
  resources: RequestedResource[];
  /** Tags the request puts on what it creates (TagSpecifications). */
  requestTags?: Record<string, string>;
  /** Other context keys, e.g. `ec2:CreateAction`. */
  context?: Record<string, string>;
}

export const asList = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** IAM's `*` and `?` wildcards; everything else literal. */
export function globToRegExp(glob: string, caseInsensitive = false): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, caseInsensitive ? 'i' : '');
}

/** ARNs are compared segment by segment, so `*` never spans a `:`; an empty segment matches `*` or ``. */
export function arnMatches(pattern: string, arn: string): boolean {
  if (pattern === '*') return true;
  const want = pattern.split(':');
  const got = arn.split(':');
  if (want.length < 6 || got.length < 6) return false;
  const head = (parts: string[]) => [...parts.slice(0, 5), parts.slice(5).join(':')];
  const [w, g] = [head(want), head(got)];
  return w.every((segment, i) => globToRegExp(segment).test(g[i] ?? ''));
}

function contextFor(request: IamRequest, resource: RequestedResource): Map<string, string> {
  const context = new Map<string, string>();
  for (const [key, value] of Object.entries(resource.tags ?? {})) {
    for (const prefix of ['aws:ResourceTag/', 'ec2:ResourceTag/', 'ssm:resourceTag/']) {
      context.set(`${prefix}${key}`.toLowerCase(), value);
    }
  }
  for (const [key, value] of Object.entries(request.requestTags ?? {})) {
    context.set(`aws:RequestTag/${key}`.toLowerCase(), value);
  }
  for (const [key, value] of Object.entries(request.context ?? {})) context.set(key.toLowerCase(), value);
  return context;
}

const SUPPORTED_KEY = /^(aws:ResourceTag\/|ec2:ResourceTag\/|ssm:resourceTag\/|aws:RequestTag\/|ec2:CreateAction$)/i;

function conditionHolds(operator: string, key: string, wanted: string[], context: Map<string, string>): boolean {
  if (!SUPPORTED_KEY.test(key)) throw new Error(`iam-eval: condition key ${key} is not implemented`);
  const value = context.get(key.toLowerCase());
  switch (operator) {
    case 'StringEquals':
      return value !== undefined && wanted.includes(value);
    case 'StringLike':
      return value !== undefined && wanted.some((glob) => globToRegExp(glob).test(value));
    case 'StringNotLike':
      // Negated operators are true when the key is absent.
      return value === undefined || !wanted.some((glob) => globToRegExp(glob).test(value));
    case 'Null': {
      const [flag] = wanted;
      if (flag !== 'true' && flag !== 'false') throw new Error(`iam-eval: Null takes "true" or "false", got ${flag}`);
      return (value === undefined) === (flag === 'true');
    }
    default:
      throw new Error(`iam-eval: condition operator ${operator} is not implemented`);
  }
}

export function statementApplies(statement: IamStatement, request: IamRequest, resource: RequestedResource): boolean {
  const actionMatches = asList(statement.Action).some((a) => globToRegExp(a, true).test(request.action));
  if (!actionMatches) return false;
  if (!asList(statement.Resource).some((pattern) => arnMatches(pattern, resource.arn))) return false;
  const context = contextFor(request, resource);
  return Object.entries(statement.Condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, wanted]) => conditionHolds(operator, key, asList(wanted), context)),
  );
}

/** True when every resource of the request is allowed by some Allow statement and denied by none. */
export function isAllowed(policy: IamPolicy, request: IamRequest): boolean {
  if (request.resources.length === 0) throw new Error('iam-eval: a request names at least one resource');
  return request.resources.every((resource) => {
    const applying = policy.Statement.filter((s) => statementApplies(s, request, resource));
    return applying.some((s) => s.Effect === 'Allow') && !applying.some((s) => s.Effect === 'Deny');
  });
}
