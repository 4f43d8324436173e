// The README's Install and Quick start sections and the testing guide's example, read as code: the
// consumer apps run exactly what a new user would copy from them.

/** The body of the first fenced block of `language` in the section under `heading`. */
function firstBlock(readme, heading, language) {
  const start = readme.indexOf(`\n## ${heading}`);
  if (start < 0) throw new Error(`README.md has no "## ${heading}" section`);
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const block = new RegExp('```' + language + '\\n([\\s\\S]*?)```').exec(section);
  if (!block) throw new Error(`README.md's "${heading}" section has no \`\`\`${language} block`);
  return block[1];
}

/** The install command the README gives for NestJS `major`, as arguments of npm. */
export function installArguments(readme, major) {
  const lines = firstBlock(readme, 'Install', 'bash').split('\n');
  const comment = lines.findIndex((line) => new RegExp(`^# NestJS ${major}\\b`).test(line));
  const command = lines[comment + 1];
  if (comment < 0 || !command?.startsWith('npm install ')) {
    throw new Error(
      `README.md's Install section has no "# NestJS ${major}" line before an npm install`,
    );
  }
  return command.split(/\s+/).slice(1);
}

/** The testing guide's e2e test of the quick start's application: its first ```ts block that uses it. */
function testingExample(guide) {
  const block = [...guide.matchAll(/```ts\n([\s\S]*?)```/g)]
    .map((m) => m[1])
    .find((code) => code.includes('useLocalIssuer') && code.includes('../src/app.module'));
  if (!block) {
    throw new Error(
      "docs/guides/testing.md has no ```ts block testing '../src/app.module' with useLocalIssuer",
    );
  }
  return block;
}

/**
 * The quick start as `src/app.module.ts` and the testing guide's example as `test/app.e2e-spec.ts`. A
 * relative import in the example may end with `// ...CommonJS...: '<path>'`, the form for a CommonJS
 * app whose Jest resolves no `.js` extension; `commonjs` picks that form.
 */
export function exampleFiles(readme, testingGuide, { commonjs }) {
  const testing = testingExample(testingGuide);
  const importForm = /^(import .* from )'[^']+';\s*\/\/.*CommonJS.*: '([^']+)'$/gm;
  return {
    'src/app.module.ts': firstBlock(readme, 'Quick start', 'ts'),
    'test/app.e2e-spec.ts': commonjs ? testing.replace(importForm, "$1'$2';") : testing,
  };
}
