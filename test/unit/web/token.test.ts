import { readToken } from '../../../web/src/lib/token';

const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
const jwt = (claims: object) => `${part({ alg: 'HS256' })}.${part(claims)}.signature`;
const inAnHour = Math.floor(Date.now() / 1000) + 3600;

describe('reading a token in the console', () => {
  it('reads the role, customer and staff name that choose the screens', () => {
    const s = readToken(jwt({ role: 'CUSTOMER', sub: 'customer:CU-1', cid: '42', exp: inAnHour }));
    expect(s).toMatchObject({ role: 'CUSTOMER', customerId: '42', name: 'customer:CU-1' });
    expect(readToken(jwt({ role: 'MANAGER', sub: 'm', staff: 'Alex Ng' })).name).toBe('Alex Ng');
  });

  it('accepts a pasted "Bearer …" header and stray whitespace', () => {
    const token = jwt({ role: 'MARKETING', sub: 'x' });
    expect(readToken(`  Bearer ${token}\n`).token).toBe(token);
  });

  it('reads names written in any script', () => {
    expect(readToken(jwt({ role: 'ADMIN', sub: 'a', staff: 'Zoë Łukasik' })).name).toBe(
      'Zoë Łukasik',
    );
  });

  it('refuses what is not a token, names no known role, or has expired, saying which', () => {
    expect(() => readToken('not a token')).toThrow(/three parts/);
    expect(() => readToken('a.b@@.c')).toThrow(/cannot be read/);
    expect(() => readToken(jwt({ role: 'ROOT', sub: 'x' }))).toThrow(/no role/);
    expect(() => readToken(jwt({ role: 'ADMIN', sub: 'x', exp: 1 }))).toThrow(/expired/);
  });
});
