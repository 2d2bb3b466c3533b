// node:test reporter that prints only the closing tally, in the form CI reads.
export default async function* summary(source) {
  let passed = 0
  let failed = 0
  let skipped = 0
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue
    // Count leaf tests only (suites report details.type === 'suite').
    if (event.data.details?.type === 'suite') continue
    if (event.type === 'test:pass') {
      if (event.data.skip || event.data.todo) skipped++
      else passed++
    } else failed++
  }
  yield `\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`
}
