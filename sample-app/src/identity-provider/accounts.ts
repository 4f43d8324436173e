export interface DemoUser {
  username: string;
  password: string;
  name: string;
  email: string;
  roles: string[];
  /**
   * A second factor: the sign-in also asks for this code and then counts as multi-factor
   * (`acr: "mfa"`). A fixed code stands in for a TOTP app; demo only.
   */
  oneTimeCode?: string;
}

/** What a successful sign-in proves (OIDC Core §2 `acr`, RFC 8176 `amr`). */
export interface SignIn {
  user: DemoUser;
  acr?: 'mfa';
  amr: string[];
}

/** Demo users. Passwords equal user names: this provider exists for local development only. */
export const DEMO_USERS: readonly DemoUser[] = [
  {
    username: 'alice',
    password: 'alice',
    name: 'Alice Admin',
    email: 'alice@example.test',
    roles: ['admin'],
  },
  { username: 'bob', password: 'bob', name: 'Bob Reader', email: 'bob@example.test', roles: [] },
  {
    username: 'carol',
    password: 'carol',
    name: 'Carol Careful',
    email: 'carol@example.test',
    roles: [],
    oneTimeCode: '123456',
  },
];

export function findUser(username: string): DemoUser | undefined {
  return DEMO_USERS.find((u) => u.username === username);
}

export function checkPassword(username: unknown, password: unknown): DemoUser | undefined {
  if (typeof username !== 'string' || typeof password !== 'string') return undefined;
  const user = findUser(username);
  return user && user.password === password ? user : undefined;
}

/**
 * Password, and for a user with a second factor also the one-time code: both right is a
 * multi-factor sign-in; a wrong or missing code is no sign-in at all, as with a real second factor.
 */
export function checkSignIn(
  username: unknown,
  password: unknown,
  oneTimeCode: unknown,
): SignIn | undefined {
  const user = checkPassword(username, password);
  if (!user) return undefined;
  if (user.oneTimeCode === undefined) return { user, amr: ['pwd'] };
  return oneTimeCode === user.oneTimeCode ? { user, acr: 'mfa', amr: ['pwd', 'otp'] } : undefined;
}
