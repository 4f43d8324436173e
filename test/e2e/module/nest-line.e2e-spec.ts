import * as common from '@nestjs/common';

// npm run test:nest11 maps every @nestjs package to the Nest 11 line (jest.config.ts). Nest 11 is
// CommonJS, whose namespace has a `default` export; Nest 12 is ESM and has none.
describe('the Nest line under test', () => {
  it(`is Nest ${process.env.NEST_LINE ?? '12'}`, () => {
    expect('default' in common).toBe(process.env.NEST_LINE === '11');
  });
});
