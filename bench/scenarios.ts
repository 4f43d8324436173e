export const SCENARIOS = [
  'bare-express',
  'bare-fastify',
  'raw-verify',
  'guard-warm',
  'guard-cold',
  'tutorial-warm',
  'tutorial-cold',
] as const;

export type Scenario = (typeof SCENARIOS)[number];
