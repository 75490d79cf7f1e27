import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { MdmError, MDM_ERRORS, type MdmErrorCode } from '../../mdm/index.js';
import { MDM_GRAPH_ERRORS, toGraphError } from './mdmErrors.js';

describe('toGraphError', () => {
  it('gives every engine error code a registered graph code and keeps the engine code beside it', () => {
    for (const code of Object.keys(MDM_ERRORS) as MdmErrorCode[]) {
      const error = toGraphError(new MdmError(code, `a ${code}`, { masterId: 'cus_1' }), 'op') as GraphQLError;
      expect(error).toBeInstanceOf(GraphQLError);
      expect(Object.keys(MDM_GRAPH_ERRORS)).toContain(error.extensions.code);
      expect(error.extensions).toMatchObject({ mdmCode: code, operation: 'op', masterId: 'cus_1' });
      expect(error.message).toBe(`a ${code}`);
    }
  });

  it('maps not found, conflict and invalid arguments as clients expect', () => {
    const codeOf = (code: MdmErrorCode) => (toGraphError(new MdmError(code, 'x'), 'op') as GraphQLError).extensions.code;
    expect([codeOf('MDM_NOT_FOUND'), codeOf('MDM_CONFLICT'), codeOf('MDM_INVALID_ARGUMENT')]).toEqual(['NOT_FOUND', 'CONFLICT', 'BAD_USER_INPUT']);
  });

  it('tags a database failure MDM_UNAVAILABLE with its reason, and lets a bug through unchanged', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect((toGraphError(refused, 'acceptMatchCandidate') as GraphQLError).extensions).toEqual({
      code: 'MDM_UNAVAILABLE', source: 'mdm', operation: 'acceptMatchCandidate', reason: 'ECONNREFUSED',
    });
    const bug = new TypeError('x is undefined');
    expect(toGraphError(bug, 'op')).toBe(bug);
  });
});
