// node:test reporter that tallies leaf tests. With ZG_TALLY_FILE set it appends one letter per finished test there
// (P, F or S) as it goes — so the count survives --test-force-exit — and scripts/test.mjs prints the closing line;
// otherwise it prints the line CI reads itself: "N passed, N failed".
import fs from 'node:fs'

export default async function* summary(source) {
  const file = process.env.ZG_TALLY_FILE
  let passed = 0
  let failed = 0
  let skipped = 0
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue
    if (event.data.details?.type === 'suite') continue
    let mark
    if (event.type === 'test:fail') ((mark = 'F'), failed++)
    else if (event.data.skip || event.data.todo) ((mark = 'S'), skipped++)
    else ((mark = 'P'), passed++)
    if (file) fs.appendFileSync(file, mark)
  }
  if (!file) yield `\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`
}
