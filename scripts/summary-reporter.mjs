// node:test reporter that tallies leaf tests. With ZG_TALLY_FILE set it appends the counts there (scripts/test.mjs
// merges several runs into one closing line); otherwise it prints the line CI reads: "N passed, N failed".
import fs from 'node:fs'

export default async function* summary(source) {
  let passed = 0
  let failed = 0
  let skipped = 0
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue
    if (event.data.details?.type === 'suite') continue
    if (event.type === 'test:pass') {
      if (event.data.skip || event.data.todo) skipped++
      else passed++
    } else failed++
  }
  if (process.env.ZG_TALLY_FILE) fs.appendFileSync(process.env.ZG_TALLY_FILE, JSON.stringify({passed, failed, skipped}) + '\n')
  else yield `\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`
}
